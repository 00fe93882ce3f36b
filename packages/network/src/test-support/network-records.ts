import type { NetworkRecord } from '../network-record.js';
import { builtInNetwork } from '../network-store.js';

/** A user-defined bridge network as the store would hold it, with what a test sets on top. */
export function bridgeNetwork(name: string, id: string, extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return { ...builtInNetwork('none', id, '2026-01-01T00:00:00Z'), name, driver: 'bridge', ipamOptions: {}, ...extra };
}
