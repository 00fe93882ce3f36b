import { Type, type Static } from '@sinclair/typebox';
import { NullableStringList, open } from './fragments.js';

export const ErrorResponseSchema = Type.Object({ message: Type.String() });
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

export const VersionResponseSchema = Type.Object(
  {
    Platform: Type.Object({ Name: Type.String() }),
    Components: Type.Array(Type.Object({ Name: Type.String(), Version: Type.String(), Details: Type.Optional(Type.Unknown()) }, open)),
    Version: Type.String(),
    ApiVersion: Type.String(),
    MinAPIVersion: Type.String(),
    GitCommit: Type.String(),
    GoVersion: Type.String(),
    Os: Type.String(),
    Arch: Type.String(),
    KernelVersion: Type.String(),
    BuildTime: Type.String(),
  },
  open,
);
export type VersionResponse = Static<typeof VersionResponseSchema>;

export const InfoResponseSchema = Type.Object(
  {
    ID: Type.String(),
    Containers: Type.Integer(),
    ContainersRunning: Type.Integer(),
    ContainersPaused: Type.Integer(),
    ContainersStopped: Type.Integer(),
    Images: Type.Integer(),
    Driver: Type.String(),
    DockerRootDir: Type.String(),
    ServerVersion: Type.String(),
    OperatingSystem: Type.String(),
    OSType: Type.String(),
    Architecture: Type.String(),
    KernelVersion: Type.String(),
    NCPU: Type.Integer(),
    MemTotal: Type.Integer(),
    Name: Type.String(),
    DefaultRuntime: Type.String(),
    CgroupDriver: Type.String(),
    CgroupVersion: Type.String(),
    /** What the daemon warns about its configuration; docker info prints each on stderr. */
    Warnings: Type.Optional(NullableStringList),
  },
  open,
);
export type InfoResponse = Static<typeof InfoResponseSchema>;
