import { Type, type Static } from '@sinclair/typebox';
import { open } from './fragments.js';
import { QueryBool, QueryFilters, QueryInt, QueryList, QueryText } from './query.js';

/** `POST /build` (the classic builder's parameters); JSON-valued ones are parsed by the route. */
export const BuildQuerySchema = Type.Object(
  {
    dockerfile: Type.Optional(QueryText),
    t: Type.Optional(QueryList),
    extrahosts: Type.Optional(QueryText),
    ulimits: Type.Optional(QueryText),
    cgroupparent: Type.Optional(QueryText),
    isolation: Type.Optional(QueryText),
    securityopt: Type.Optional(QueryText),
    remote: Type.Optional(QueryText),
    q: Type.Optional(QueryBool),
    nocache: Type.Optional(QueryBool),
    cachefrom: Type.Optional(QueryText),
    pull: Type.Optional(QueryText),
    rm: Type.Optional(QueryBool),
    forcerm: Type.Optional(QueryBool),
    memory: Type.Optional(QueryInt),
    memswap: Type.Optional(QueryInt),
    cpushares: Type.Optional(QueryInt),
    cpusetcpus: Type.Optional(QueryText),
    cpusetmems: Type.Optional(QueryText),
    cpuperiod: Type.Optional(QueryInt),
    cpuquota: Type.Optional(QueryInt),
    buildargs: Type.Optional(QueryText),
    shmsize: Type.Optional(QueryInt),
    squash: Type.Optional(QueryBool),
    labels: Type.Optional(QueryText),
    networkmode: Type.Optional(QueryText),
    platform: Type.Optional(QueryText),
    target: Type.Optional(QueryText),
    outputs: Type.Optional(QueryText),
    version: Type.Optional(QueryText),
    session: Type.Optional(QueryText),
    buildid: Type.Optional(QueryText),
  },
  open,
);
export type BuildQuery = Static<typeof BuildQuerySchema>;

export const BuildPruneQuerySchema = Type.Object(
  { 'keep-storage': Type.Optional(QueryInt), all: Type.Optional(QueryBool), filters: Type.Optional(QueryFilters) },
  open,
);
export type BuildPruneQuery = Static<typeof BuildPruneQuerySchema>;

/** One build cache record, as `GET /system/df` lists them. */
export const BuildCacheRecordSchema = Type.Object({
  ID: Type.String(),
  Parents: Type.Union([Type.Array(Type.String()), Type.Null()]),
  Type: Type.String(),
  Description: Type.String(),
  InUse: Type.Boolean(),
  Shared: Type.Boolean(),
  Size: Type.Integer(),
  CreatedAt: Type.String(),
  LastUsedAt: Type.Union([Type.String(), Type.Null()]),
  UsageCount: Type.Integer(),
});
export type BuildCacheRecord = Static<typeof BuildCacheRecordSchema>;
