import { Type, type Static } from '@sinclair/typebox';
import { RestartPolicySchema } from './container.js';

/** Engine API shapes of restart/pause/rename/update/prune/top/stats (v1.47). */
const open = { additionalProperties: true } as const;

export const ContainerUpdateRequestSchema = Type.Object(
  {
    Memory: Type.Optional(Type.Integer()),
    MemorySwap: Type.Optional(Type.Integer()),
    NanoCpus: Type.Optional(Type.Integer()),
    CpuShares: Type.Optional(Type.Integer()),
    CpuQuota: Type.Optional(Type.Integer()),
    CpuPeriod: Type.Optional(Type.Integer()),
    PidsLimit: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    RestartPolicy: Type.Optional(RestartPolicySchema),
  },
  open,
);
export type ContainerUpdateRequest = Static<typeof ContainerUpdateRequestSchema>;

export const ContainerUpdateResponseSchema = Type.Object({ Warnings: Type.Array(Type.String()) });
export type ContainerUpdateResponse = Static<typeof ContainerUpdateResponseSchema>;

export const ContainerPruneResponseSchema = Type.Object({
  ContainersDeleted: Type.Union([Type.Array(Type.String()), Type.Null()]),
  SpaceReclaimed: Type.Integer(),
});
export type ContainerPruneResponse = Static<typeof ContainerPruneResponseSchema>;

export const ContainerTopResponseSchema = Type.Object({
  Titles: Type.Array(Type.String()),
  Processes: Type.Array(Type.Array(Type.String())),
});
export type ContainerTopResponse = Static<typeof ContainerTopResponseSchema>;

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
