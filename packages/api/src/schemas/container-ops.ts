import { Type, type Static } from '@sinclair/typebox';
import { RestartPolicySchema, UlimitSchema } from './container.js';
import { NullableStringList, ResourceFields, StringList, open, orNull } from './fragments.js';

/** Engine API shapes of restart/pause/rename/update/prune/top/stats (v1.47). */

export const ContainerUpdateRequestSchema = Type.Object(
  {
    ...ResourceFields,
    // Part of the API's Resources, so declared (and type-checked); an update refuses to change them.
    // (Init is not: dockerd's update reads Resources and RestartPolicy only, so any Init is ignored.)
    Ulimits: Type.Optional(orNull(Type.Array(UlimitSchema))),
    RestartPolicy: Type.Optional(RestartPolicySchema),
  },
  open,
);
export type ContainerUpdateRequest = Static<typeof ContainerUpdateRequestSchema>;

/** dockerd sends `null` when an update has no warnings. */
export const ContainerUpdateResponseSchema = Type.Object({ Warnings: NullableStringList });
export type ContainerUpdateResponse = Static<typeof ContainerUpdateResponseSchema>;

export const ContainerPruneResponseSchema = Type.Object({
  ContainersDeleted: NullableStringList,
  SpaceReclaimed: Type.Integer(),
});
export type ContainerPruneResponse = Static<typeof ContainerPruneResponseSchema>;

export const ContainerTopResponseSchema = Type.Object({
  Titles: StringList,
  Processes: Type.Array(StringList),
});
export type ContainerTopResponse = Static<typeof ContainerTopResponseSchema>;

/** One entry of `GET /containers/{id}/changes`: Kind 0 is a modified path, 1 an added one, 2 a deleted one. */
export const FilesystemChangeSchema = Type.Object({
  Path: Type.String(),
  Kind: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
});
export type FilesystemChange = Static<typeof FilesystemChangeSchema>;

const CpuStatsSchema = Type.Object(
  {
    cpu_usage: Type.Object(
      {
        total_usage: Type.Number(),
        percpu_usage: Type.Optional(Type.Array(Type.Number())),
        usage_in_kernelmode: Type.Number(),
        usage_in_usermode: Type.Number(),
      },
      open,
    ),
    system_cpu_usage: Type.Optional(Type.Number()),
    online_cpus: Type.Optional(Type.Integer()),
  },
  open,
);

/** One `GET /containers/{id}/stats` sample; block I/O and throttling details are left open. */
export const ContainerStatsResponseSchema = Type.Object(
  {
    name: Type.String(),
    id: Type.String(),
    read: Type.String(),
    preread: Type.String(),
    pids_stats: Type.Object({ current: Type.Optional(Type.Integer()), limit: Type.Optional(Type.Integer()) }, open),
    cpu_stats: CpuStatsSchema,
    precpu_stats: CpuStatsSchema,
    memory_stats: Type.Object(
      {
        usage: Type.Optional(Type.Number()),
        limit: Type.Optional(Type.Number()),
        stats: Type.Optional(Type.Record(Type.String(), Type.Number())),
      },
      open,
    ),
    blkio_stats: Type.Unknown(),
  },
  open,
);
export type ContainerStatsResponse = Static<typeof ContainerStatsResponseSchema>;
