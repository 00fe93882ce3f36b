import { Type, type Static } from '@sinclair/typebox';
import { optionalBody } from '../validation.js';
import { ConsoleSize, NullableStringList, open, orNull } from './fragments.js';

/** Engine API exec shapes (v1.47). */

/** The body of POST /containers/{id}/exec. */
export const ExecCreateRequestSchema = Type.Object(
  {
    AttachStdin: Type.Optional(orNull(Type.Boolean())),
    AttachStdout: Type.Optional(orNull(Type.Boolean())),
    AttachStderr: Type.Optional(orNull(Type.Boolean())),
    ConsoleSize: Type.Optional(ConsoleSize),
    DetachKeys: Type.Optional(orNull(Type.String())),
    Tty: Type.Optional(orNull(Type.Boolean())),
    Env: Type.Optional(NullableStringList),
    Cmd: Type.Optional(NullableStringList),
    Privileged: Type.Optional(orNull(Type.Boolean())),
    User: Type.Optional(orNull(Type.String())),
    WorkingDir: Type.Optional(orNull(Type.String())),
  },
  open,
);
export type ExecCreateRequest = Static<typeof ExecCreateRequestSchema>;

/** The body of POST /exec/{id}/start, sent before the raw stream on a hijacked connection. */
export const ExecStartRequestSchema = Type.Object(
  {
    Detach: Type.Optional(orNull(Type.Boolean())),
    Tty: Type.Optional(orNull(Type.Boolean())),
    ConsoleSize: Type.Optional(ConsoleSize),
  },
  open,
);
export type ExecStartRequest = Static<typeof ExecStartRequestSchema>;

/** The exec start body as sent: absent or `null` means no options. */
export const ExecStartBodySchema = optionalBody(ExecStartRequestSchema);

