import { Type, type Static } from '@sinclair/typebox';
import { StringMap, open } from './fragments.js';

/** The object types `/events` reports (moby's events.Type); berthd emits the ones it has. */
export const EventTypeSchema = Type.Union([
  Type.Literal('container'),
  Type.Literal('image'),
  Type.Literal('volume'),
  Type.Literal('network'),
  Type.Literal('daemon'),
  Type.Literal('plugin'),
  Type.Literal('builder'),
]);
export type EventType = Static<typeof EventTypeSchema>;

/** One `/events` message (v1.47 EventMessage). `status`, `id` and `from` are the pre-1.22 fields Docker still sends. */
export const EventMessageSchema = Type.Object(
  {
    Type: EventTypeSchema,
    Action: Type.String(),
    Actor: Type.Object({ ID: Type.String(), Attributes: StringMap }),
    scope: Type.Union([Type.Literal('local'), Type.Literal('swarm')]),
    time: Type.Integer(),
    timeNano: Type.Integer(),
    status: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    from: Type.Optional(Type.String()),
  },
  open,
);
export type EventMessage = Static<typeof EventMessageSchema>;
