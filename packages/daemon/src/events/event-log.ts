import type { EventMessage, EventType } from '@berth/api';

/** What an emitter supplies; the log adds the scope, the time and the legacy fields. */
export interface EventInput {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

export type EventListener = (event: EventMessage) => void;

/** How many past events `/events?since=` can replay (moby keeps 256; memory is cheap here). */
export const EVENT_BUFFER_SIZE = 1024;

/** The daemon's event bus: a ring buffer of recent events for replay, and live subscribers. */
export class EventLog {
  private readonly buffer: EventMessage[] = [];
  private readonly listeners = new Set<EventListener>();
  private lastNano = 0;

  constructor(private readonly capacity = EVENT_BUFFER_SIZE) {}

  publish(input: EventInput): EventMessage {
    const event = this.stamp(input);
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Buffered events with sinceNano ≤ timeNano ≤ untilNano, oldest first. */
  replay(sinceNano: number, untilNano = Number.POSITIVE_INFINITY): EventMessage[] {
    return this.buffer.filter((e) => e.timeNano >= sinceNano && e.timeNano <= untilNano);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many clients follow events now (`docker info`'s NEventsListener). */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  private stamp(input: EventInput): EventMessage {
    // Strictly increasing, so replay boundaries and ordering hold for events within one millisecond.
    const timeNano = Math.max(Date.now() * 1_000_000, this.lastNano + 1_000);
    this.lastNano = timeNano;
    const legacy = legacyFields(input);
    return {
      ...legacy,
      Type: input.Type,
      Action: input.Action,
      // moby's attributes are a Go map, which encoding/json writes in key order.
      Actor: { ID: input.Actor.ID, Attributes: Object.fromEntries(Object.entries(input.Actor.Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
      scope: 'local',
      time: Math.floor(timeNano / 1_000_000_000),
      timeNano,
    };
  }
}

/** The pre-1.22 fields moby still fills: status and id for container and image events, and from for containers. */
function legacyFields(input: EventInput): Partial<Pick<EventMessage, 'status' | 'id' | 'from'>> {
  if (input.Type === 'container') return { status: input.Action, id: input.Actor.ID, from: input.Actor.Attributes.image ?? '' };
  if (input.Type === 'image') return { status: input.Action, id: input.Actor.ID };
  return {};
}
