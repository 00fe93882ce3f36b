import { Type, type Static } from '@sinclair/typebox';
import { open } from './fragments.js';
import { QueryFilters, QueryList, QueryText } from './query.js';

export const EventsQuerySchema = Type.Object(
  { since: Type.Optional(QueryText), until: Type.Optional(QueryText), filters: Type.Optional(QueryFilters) },
  open,
);
export type EventsQuery = Static<typeof EventsQuerySchema>;

export const SystemDfQuerySchema = Type.Object({ type: Type.Optional(QueryList) }, open);
export type SystemDfQuery = Static<typeof SystemDfQuerySchema>;
