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

/** `POST /auth` (`docker login`): the credentials to check against a registry. */
export const AuthConfigSchema = Type.Object(
  {
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    serveraddress: Type.Optional(Type.String()),
    identitytoken: Type.Optional(Type.String()),
    registrytoken: Type.Optional(Type.String()),
  },
  open,
);
export type AuthConfig = Static<typeof AuthConfigSchema>;
