import { Type, type Static } from '@sinclair/typebox';
import { NullableStringList, StringMap, open, orNull } from './fragments.js';
import { QueryBool } from './query.js';

/** Engine API volume shapes (v1.47). */

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
    Name: Type.Optional(orNull(Type.String())),
    Driver: Type.Optional(orNull(Type.String())),
    DriverOpts: Type.Optional(orNull(StringMap)),
    Labels: Type.Optional(orNull(StringMap)),
    // Swarm's cluster volumes: declared so that a mistyped one is refused, and any other is refused by the route.
    ClusterVolumeSpec: Type.Optional(orNull(Type.Object({}, open))),
  },
  open,
);
export type VolumeCreateRequest = Static<typeof VolumeCreateRequestSchema>;

export const VolumeRemoveQuerySchema = Type.Object({ force: Type.Optional(QueryBool) }, open);
export type VolumeRemoveQuery = Static<typeof VolumeRemoveQuerySchema>;

export const VolumeListResponseSchema = Type.Object({
  Volumes: Type.Array(VolumeSchema),
  Warnings: NullableStringList,
});
export type VolumeListResponse = Static<typeof VolumeListResponseSchema>;

export const VolumePruneResponseSchema = Type.Object({
  VolumesDeleted: NullableStringList,
  SpaceReclaimed: Type.Integer(),
});
export type VolumePruneResponse = Static<typeof VolumePruneResponseSchema>;
