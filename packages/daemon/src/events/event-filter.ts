import { InvalidArgumentError, type EventMessage } from '@berth/api';

const FILTER_KEYS = new Set(['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume']);
/** Actions with a detail after a colon ("health_status: healthy"); a bare filter value matches any detail. */
const PREFIX_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);
/** Filter keys naming an object of that event type, matched against its ID or name by prefix. */
const OBJECT_KEYS = ['container', 'plugin', 'volume', 'network', 'daemon', 'node', 'service', 'secret', 'config'] as const;

export type EventPredicate = (event: EventMessage) => boolean;

/**
 * moby's events.Filter: values of one key are alternatives, keys must all match; an object filter
 * (`container=web`) matches the event's actor ID or name by prefix; `label` matches actor attributes.
 */
export function eventFilter(filters: Record<string, string[]>): EventPredicate {
  for (const key of Object.keys(filters)) {
    if (!FILTER_KEYS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const values = (key: string): string[] => filters[key] ?? [];
  const any = (key: string, test: (value: string) => boolean): boolean => values(key).length === 0 || values(key).some(test);
  const prefixOf = (text: string | undefined) => (value: string) => text !== undefined && text.startsWith(value);

  return (event) => {
    const attrs = event.Actor.Attributes;
    const fuzzyEvent = values('event').some((v) => PREFIX_ACTIONS.has(v));
    return (
      any('event', (v) => (fuzzyEvent ? event.Action.startsWith(v) : event.Action === v)) &&
      any('type', (v) => event.Type === v) &&
      any('scope', (v) => event.scope === v) &&
      OBJECT_KEYS.every((key) => values(key).length === 0 || (values(key).some(prefixOf(event.Actor.ID)) || values(key).some(prefixOf(attrs.name)))) &&
      any('image', (v) => imageNames(event).includes(v)) &&
      values('label').every((label) => matchesLabel(attrs, label))
    );
  };
}

/** What `image=` compares with: the image's ID and name, with and without a tag. */
function imageNames(event: EventMessage): string[] {
  const name = event.Actor.Attributes[event.Type === 'image' ? 'name' : 'image'] ?? '';
  const names = [event.Actor.ID, name];
  return [...names, ...names.map(stripTag)];
}

function stripTag(ref: string): string {
  const at = ref.indexOf('@');
  const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function matchesLabel(attrs: Record<string, string>, label: string): boolean {
  const eq = label.indexOf('=');
  if (eq < 0) return label in attrs;
  return attrs[label.slice(0, eq)] === label.slice(eq + 1);
}
