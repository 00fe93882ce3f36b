import { Type, type Static } from '@sinclair/typebox';

/** Engine API volume shapes (v1.47). */
const open = { additionalProperties: true } as const;
const StringMap = Type.Record(Type.String(), Type.String());

export const VolumeSchema = Type.Object(
  {
    Name: Type.String(),
    Driver: Type.String(),
    Mountpoint: Type.String(),
    CreatedAt: Type.Optional(Type.String()),
    Status: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    Labels: StringMap,
    Scope: Type.String(),
    Options: Type.Union([StringMap, Type.Null()]),
    UsageData: Type.Optional(Type.Union([Type.Object({ Size: Type.Integer(), RefCount: Type.Integer() }), Type.Null()])),
  },
  open,
);
export type Volume = Static<typeof VolumeSchema>;

export const VolumeCreateRequestSchema = Type.Object(
  {
    Name: Type.Optional(Type.String()),
    Driver: Type.Optional(Type.String()),
    DriverOpts: Type.Optional(Type.Union([StringMap, Type.Null()])),
    Labels: Type.Optional(Type.Union([StringMap, Type.Null()])),
  },
  open,
);
export type VolumeCreateRequest = Static<typeof VolumeCreateRequestSchema>;

export const VolumeListResponseSchema = Type.Object({
  Volumes: Type.Array(VolumeSchema),
  Warnings: Type.Union([Type.Array(Type.String()), Type.Null()]),
});
export type VolumeListResponse = Static<typeof VolumeListResponseSchema>;

export const VolumePruneResponseSchema = Type.Object({
  VolumesDeleted: Type.Union([Type.Array(Type.String()), Type.Null()]),
  SpaceReclaimed: Type.Integer(),
});
export type VolumePruneResponse = Static<typeof VolumePruneResponseSchema>;
