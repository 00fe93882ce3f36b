import type { ContainerRecord } from './record.js';

/** A network mode's network: `default` is the default bridge, `container:<id>` has none of its own. */
export function modeNetworkName(mode: string | undefined): string | undefined {
  if (!mode || mode === 'default') return 'bridge';
  return mode.startsWith('container:') ? undefined : mode;
}

/** The networks a container joins, by name: its endpoints, or (records from before networking) its mode's network. */
export function configuredNetworkNames(c: ContainerRecord): string[] {
  if (c.endpoints) return Object.keys(c.endpoints);
  const name = modeNetworkName(c.hostConfig.NetworkMode);
  return name ? [name] : [];
}
