import { Type, type Static } from '@sinclair/typebox';
import { open } from './fragments.js';
import { QueryBool, QueryFilters, QueryInt, QueryText } from './query.js';

/** Query strings of the container routes (v1.47). */

export const ContainerCreateQuerySchema = Type.Object({ name: Type.Optional(QueryText), platform: Type.Optional(QueryText) }, open);
export type ContainerCreateQuery = Static<typeof ContainerCreateQuerySchema>;

export const ContainerListQuerySchema = Type.Object(
  { all: Type.Optional(QueryBool), limit: Type.Optional(QueryInt), size: Type.Optional(QueryBool), filters: Type.Optional(QueryFilters) },
  open,
);
export type ContainerListQuery = Static<typeof ContainerListQuerySchema>;

export const ContainerInspectQuerySchema = Type.Object({ size: Type.Optional(QueryBool) }, open);
export type ContainerInspectQuery = Static<typeof ContainerInspectQuerySchema>;

export const ContainerStartQuerySchema = Type.Object({ detachKeys: Type.Optional(QueryText) }, open);
export type ContainerStartQuery = Static<typeof ContainerStartQuerySchema>;

/** stop and restart; `timeout` is the pre-1.42 spelling of `t`. */
export const ContainerStopQuerySchema = Type.Object(
  { t: Type.Optional(QueryInt), timeout: Type.Optional(QueryInt), signal: Type.Optional(QueryText) },
  open,
);
export type ContainerStopQuery = Static<typeof ContainerStopQuerySchema>;

export const ContainerKillQuerySchema = Type.Object({ signal: Type.Optional(QueryText) }, open);
export type ContainerKillQuery = Static<typeof ContainerKillQuerySchema>;

export const ContainerWaitQuerySchema = Type.Object(
  {
    condition: Type.Optional(
      Type.Union([Type.Literal(''), Type.Literal('not-running'), Type.Literal('next-exit'), Type.Literal('removed')], {
        description: 'one of not-running, next-exit or removed',
      }),
    ),
  },
  open,
);
export type ContainerWaitQuery = Static<typeof ContainerWaitQuerySchema>;
/** What a wait waits for; an empty `condition` means not-running. */
export type WaitCondition = Exclude<NonNullable<ContainerWaitQuery['condition']>, ''>;

export const ContainerRemoveQuerySchema = Type.Object(
  { v: Type.Optional(QueryBool), force: Type.Optional(QueryBool), link: Type.Optional(QueryBool) },
  open,
);
export type ContainerRemoveQuery = Static<typeof ContainerRemoveQuerySchema>;

/** attach and attach/ws share these. */
export const ContainerAttachQuerySchema = Type.Object(
  {
    detachKeys: Type.Optional(QueryText),
    logs: Type.Optional(QueryBool),
    stream: Type.Optional(QueryBool),
    stdin: Type.Optional(QueryBool),
    stdout: Type.Optional(QueryBool),
    stderr: Type.Optional(QueryBool),
  },
  open,
);
export type ContainerAttachQuery = Static<typeof ContainerAttachQuerySchema>;

export const ContainerRenameQuerySchema = Type.Object({ name: Type.Optional(QueryText) }, open);
export type ContainerRenameQuery = Static<typeof ContainerRenameQuerySchema>;

export const ContainerTopQuerySchema = Type.Object({ ps_args: Type.Optional(QueryText) }, open);
export type ContainerTopQuery = Static<typeof ContainerTopQuerySchema>;

export const ContainerStatsQuerySchema = Type.Object({ stream: Type.Optional(QueryBool), 'one-shot': Type.Optional(QueryBool) }, open);
export type ContainerStatsQuery = Static<typeof ContainerStatsQuerySchema>;

export const ContainerLogsQuerySchema = Type.Object(
  {
    follow: Type.Optional(QueryBool),
    stdout: Type.Optional(QueryBool),
    stderr: Type.Optional(QueryBool),
    since: Type.Optional(QueryText),
    until: Type.Optional(QueryText),
    timestamps: Type.Optional(QueryBool),
    tail: Type.Optional(QueryText),
  },
  open,
);
export type ContainerLogsQuery = Static<typeof ContainerLogsQuerySchema>;

/** The TTY size of a container or an exec. */
export const ResizeQuerySchema = Type.Object({ h: Type.Optional(QueryInt), w: Type.Optional(QueryInt) }, open);
export type ResizeQuery = Static<typeof ResizeQuerySchema>;

export const ContainerArchiveQuerySchema = Type.Object(
  { path: Type.Optional(QueryText), noOverwriteDirNonDir: Type.Optional(QueryBool), copyUIDGID: Type.Optional(QueryBool) },
  open,
);
export type ContainerArchiveQuery = Static<typeof ContainerArchiveQuerySchema>;
