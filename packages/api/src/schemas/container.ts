import { Type, type Static } from '@sinclair/typebox';

import { NetworkingConfigSchema } from './network.js';
import { ConsoleSize, NullableStringList, ResourceFields, StringList, StringMap, open, orNull } from './fragments.js';

/**
 * Engine API container shapes (v1.47). Each schema is both the fastify request/response schema and,
 * through `Static`, the TypeScript type.
 */

export const HealthConfigSchema = Type.Object(
  {
    Test: Type.Optional(NullableStringList),
    // docker-py's Healthcheck sends every field, null where unset (docker-compose's start_period).
    Interval: Type.Optional(orNull(Type.Integer())),
    Timeout: Type.Optional(orNull(Type.Integer())),
    Retries: Type.Optional(orNull(Type.Integer())),
    StartPeriod: Type.Optional(orNull(Type.Integer())),
    StartInterval: Type.Optional(orNull(Type.Integer())),
  },
  open,
);
export type HealthConfig = Static<typeof HealthConfigSchema>;

export const RestartPolicySchema = Type.Object(
  { Name: Type.Optional(Type.String()), MaximumRetryCount: Type.Optional(Type.Integer()) },
  open,
);
export type RestartPolicy = Static<typeof RestartPolicySchema>;

export const UlimitSchema = Type.Object({ Name: Type.String(), Soft: Type.Integer(), Hard: Type.Integer() }, open);
export type Ulimit = Static<typeof UlimitSchema>;

export const MountSchema = Type.Object(
  {
    Target: Type.Optional(Type.String()),
    // null is unset, as Go reads it: the Docker SDK for Python's Mount sends Source: null for a tmpfs.
    Source: Type.Optional(orNull(Type.String())),
    Type: Type.Optional(Type.String()),
    ReadOnly: Type.Optional(Type.Boolean()),
    Consistency: Type.Optional(Type.String()),
    BindOptions: Type.Optional(Type.Unknown()),
    VolumeOptions: Type.Optional(Type.Unknown()),
    TmpfsOptions: Type.Optional(Type.Unknown()),
  },
  open,
);
export type Mount = Static<typeof MountSchema>;

export const HostConfigSchema = Type.Object(
  {
    Binds: Type.Optional(NullableStringList),
    Mounts: Type.Optional(Type.Union([Type.Array(MountSchema), Type.Null()])),
    NetworkMode: Type.Optional(Type.String()),
    RestartPolicy: Type.Optional(RestartPolicySchema),
    AutoRemove: Type.Optional(Type.Boolean()),
    Privileged: Type.Optional(Type.Boolean()),
    ReadonlyRootfs: Type.Optional(Type.Boolean()),
    CapAdd: Type.Optional(NullableStringList),
    CapDrop: Type.Optional(NullableStringList),
    SecurityOpt: Type.Optional(NullableStringList),
    Tmpfs: Type.Optional(Type.Union([StringMap, Type.Null()])),
    Ulimits: Type.Optional(Type.Union([Type.Array(UlimitSchema), Type.Null()])),
    ...ResourceFields,
    Init: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    ShmSize: Type.Optional(Type.Integer()),
    ExtraHosts: Type.Optional(NullableStringList),
    Sysctls: Type.Optional(Type.Union([StringMap, Type.Null()])),
    Dns: Type.Optional(NullableStringList),
    DnsSearch: Type.Optional(NullableStringList),
    DnsOptions: Type.Optional(NullableStringList),
    LogConfig: Type.Optional(
      Type.Object({ Type: Type.Optional(Type.String()), Config: Type.Optional(Type.Union([StringMap, Type.Null()])) }, open),
    ),
    PortBindings: Type.Optional(Type.Unknown()),
    PublishAllPorts: Type.Optional(Type.Boolean()),
    Links: Type.Optional(NullableStringList),
    VolumesFrom: Type.Optional(NullableStringList),
    VolumeDriver: Type.Optional(Type.String()),
    GroupAdd: Type.Optional(NullableStringList),
    Annotations: Type.Optional(orNull(StringMap)),
    OomScoreAdj: Type.Optional(Type.Integer()),
    IpcMode: Type.Optional(Type.String()),
    PidMode: Type.Optional(Type.String()),
    UTSMode: Type.Optional(Type.String()),
    UsernsMode: Type.Optional(Type.String()),
    CgroupnsMode: Type.Optional(Type.String()),
    Cgroup: Type.Optional(Type.String()),
    Isolation: Type.Optional(Type.String()),
    Runtime: Type.Optional(Type.String()),
    StorageOpt: Type.Optional(orNull(StringMap)),
    MaskedPaths: Type.Optional(NullableStringList),
    ReadonlyPaths: Type.Optional(NullableStringList),
    /** `--cidfile`: the client writes the file; the engine only records it. */
    ContainerIDFile: Type.Optional(Type.String()),
    ConsoleSize: Type.Optional(ConsoleSize),
  },
  open,
);
export type HostConfig = Static<typeof HostConfigSchema>;

export const ContainerConfigSchema = Type.Object(
  {
    Hostname: Type.Optional(Type.String()),
    Domainname: Type.Optional(Type.String()),
    User: Type.Optional(Type.String()),
    AttachStdin: Type.Optional(Type.Boolean()),
    AttachStdout: Type.Optional(Type.Boolean()),
    AttachStderr: Type.Optional(Type.Boolean()),
    ExposedPorts: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    Tty: Type.Optional(Type.Boolean()),
    OpenStdin: Type.Optional(Type.Boolean()),
    StdinOnce: Type.Optional(Type.Boolean()),
    Env: Type.Optional(NullableStringList),
    Cmd: Type.Optional(Type.Union([StringList, Type.String(), Type.Null()])),
    Healthcheck: Type.Optional(Type.Union([HealthConfigSchema, Type.Null()])),
    Image: Type.Optional(Type.String()),
    Volumes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    WorkingDir: Type.Optional(Type.String()),
    Entrypoint: Type.Optional(Type.Union([StringList, Type.String(), Type.Null()])),
    NetworkDisabled: Type.Optional(Type.Boolean()),
    Labels: Type.Optional(Type.Union([StringMap, Type.Null()])),
    StopSignal: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    StopTimeout: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    Shell: Type.Optional(NullableStringList),
    // Fields of the API's config that change nothing here, declared so that a mistyped one is refused as dockerd does.
    ArgsEscaped: Type.Optional(orNull(Type.Boolean())),
    MacAddress: Type.Optional(Type.String()),
    OnBuild: Type.Optional(NullableStringList),
  },
  open,
);
export type ContainerConfig = Static<typeof ContainerConfigSchema>;

export const ContainerCreateRequestSchema = Type.Intersect([
  ContainerConfigSchema,
  Type.Object(
    {
      HostConfig: Type.Optional(Type.Union([HostConfigSchema, Type.Null()])),
      NetworkingConfig: Type.Optional(orNull(NetworkingConfigSchema)),
    },
    open,
  ),
]);
export type ContainerCreateRequest = Static<typeof ContainerCreateRequestSchema>;

export const ContainerCreateResponseSchema = Type.Object({ Id: Type.String(), Warnings: StringList });
export type ContainerCreateResponse = Static<typeof ContainerCreateResponseSchema>;

export const ContainerStatusSchema = Type.Union([
  Type.Literal('created'),
  Type.Literal('running'),
  Type.Literal('paused'),
  Type.Literal('restarting'),
  Type.Literal('removing'),
  Type.Literal('exited'),
  Type.Literal('dead'),
]);
export type ContainerStatus = Static<typeof ContainerStatusSchema>;

export const ContainerStateSchema = Type.Object(
  {
    Status: ContainerStatusSchema,
    Running: Type.Boolean(),
    Paused: Type.Boolean(),
    Restarting: Type.Boolean(),
    OOMKilled: Type.Boolean(),
    Dead: Type.Boolean(),
    Pid: Type.Integer(),
    ExitCode: Type.Integer(),
    Error: Type.String(),
    StartedAt: Type.String(),
    FinishedAt: Type.String(),
    Health: Type.Optional(Type.Unknown()),
  },
  open,
);
export type ContainerState = Static<typeof ContainerStateSchema>;

export const MountPointSchema = Type.Object(
  {
    Type: Type.String(),
    Name: Type.Optional(Type.String()),
    Source: Type.String(),
    Destination: Type.String(),
    Driver: Type.Optional(Type.String()),
    Mode: Type.String(),
    RW: Type.Boolean(),
    Propagation: Type.String(),
  },
  open,
);
export type MountPoint = Static<typeof MountPointSchema>;

export const ContainerInspectSchema = Type.Object(
  {
    Id: Type.String(),
    Created: Type.String(),
    Path: Type.String(),
    Args: StringList,
    State: ContainerStateSchema,
    Image: Type.String(),
    ResolvConfPath: Type.String(),
    HostnamePath: Type.String(),
    HostsPath: Type.String(),
    LogPath: Type.String(),
    Name: Type.String(),
    RestartCount: Type.Integer(),
    Driver: Type.String(),
    Platform: Type.String(),
    MountLabel: Type.String(),
    ProcessLabel: Type.String(),
    AppArmorProfile: Type.String(),
    ExecIDs: Type.Union([StringList, Type.Null()]),
    HostConfig: HostConfigSchema,
    GraphDriver: Type.Object({ Name: Type.String(), Data: Type.Union([StringMap, Type.Null()]) }),
    SizeRw: Type.Optional(Type.Integer()),
    SizeRootFs: Type.Optional(Type.Integer()),
    Mounts: Type.Array(MountPointSchema),
    Config: ContainerConfigSchema,
    NetworkSettings: Type.Record(Type.String(), Type.Unknown()),
  },
  open,
);
export type ContainerInspect = Static<typeof ContainerInspectSchema>;

export const ContainerSummarySchema = Type.Object(
  {
    Id: Type.String(),
    Names: StringList,
    Image: Type.String(),
    ImageID: Type.String(),
    Command: Type.String(),
    Created: Type.Integer(),
    Ports: Type.Array(Type.Unknown()),
    SizeRw: Type.Optional(Type.Integer()),
    SizeRootFs: Type.Optional(Type.Integer()),
    Labels: StringMap,
    State: ContainerStatusSchema,
    Status: Type.String(),
    HostConfig: Type.Object({ NetworkMode: Type.String() }, open),
    NetworkSettings: Type.Record(Type.String(), Type.Unknown()),
    Mounts: Type.Array(MountPointSchema),
  },
  open,
);
export type ContainerSummary = Static<typeof ContainerSummarySchema>;

export const ContainerWaitResponseSchema = Type.Object({
  StatusCode: Type.Integer(),
  Error: Type.Optional(Type.Union([Type.Object({ Message: Type.String() }), Type.Null()])),
});
export type ContainerWaitResponse = Static<typeof ContainerWaitResponseSchema>;
