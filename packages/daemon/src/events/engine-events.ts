import type { EventInput } from './event-log.js';

/** What a container event is about: what moby's LogContainerEventWithAttributes reads off a container. */
export interface EventContainer {
  id: string;
  /** As stored, with its leading slash. */
  name: string;
  /** The image as the user named it. */
  imageRef: string;
  config: { Labels?: Record<string, string> | null };
}

/** The object types whose prune reports what it freed. */
export type PrunedType = 'container' | 'image' | 'volume' | 'network';

/**
 * The engine's one way to report what happened, in Docker's vocabulary: each kind of object with the
 * attributes moby's Log*Event gives it. Services depend on this port, never on the event log itself.
 */
export interface EngineEvents {
  /** The event's attributes, under the container's labels, under its image and name (moby's order). */
  container(action: string, c: EventContainer, attributes?: Record<string, string>): void;
  /** `name` is the reference for `tag` (and `pull`, `push`), the image ID for the other actions, as moby reports them. */
  image(action: string, id: string, name: string): void;
  volume(action: string, name: string, attributes: Record<string, string>): void;
  /** moby's network events: the network's ID as actor, its name and driver (`type`), and the container on connect and disconnect. */
  network(action: string, network: { id: string; name: string; driver: string }, containerId?: string): void;
  /** A prune's `reclaimed` bytes, as an event with no actor ID. */
  pruned(type: PrunedType, spaceReclaimed: number): void;
}

export interface EngineEventsOptions {
  /** The image's config labels while it exists (moby copies them into image events; a `delete` has none). */
  imageLabels(id: string): Record<string, string> | undefined;
}

/** moby's exec event action: `exec_create: <entrypoint> <arguments…>`, with the space even when there are no arguments. */
export function execAction(action: 'exec_create' | 'exec_start', command: readonly string[]): string {
  const [entrypoint = '', ...args] = command;
  return `${action}: ${entrypoint} ${args.join(' ')}`;
}

/** The port backed by whatever publishes events: the daemon's EventLog. */
export function engineEvents(sink: { publish(input: EventInput): unknown }, options: EngineEventsOptions): EngineEvents {
  return {
    container(action, c, attributes = {}) {
      const named = { ...attributes, ...(c.config.Labels ?? {}), image: c.imageRef, name: c.name.replace(/^\/+/, '') };
      sink.publish({ Type: 'container', Action: action, Actor: { ID: c.id, Attributes: named } });
    },
    image(action, id, name) {
      sink.publish({ Type: 'image', Action: action, Actor: { ID: id, Attributes: { ...(options.imageLabels(id) ?? {}), name } } });
    },
    volume(action, name, attributes) {
      sink.publish({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: { ...attributes } } });
    },
    network(action, network, containerId) {
      const attributes = { ...(containerId ? { container: containerId } : {}), name: network.name, type: network.driver };
      sink.publish({ Type: 'network', Action: action, Actor: { ID: network.id, Attributes: attributes } });
    },
    pruned(type, spaceReclaimed) {
      sink.publish({ Type: type, Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(spaceReclaimed) } } });
    },
  };
}
