import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';
import type { NetworkRecord } from './network-record.js';

/** The built-in networks: never stored; their IDs are derived, so the same on every start, and made at the daemon's start. */
export function builtInNetwork(name: 'host' | 'none', id: string, created: string): NetworkRecord {
  return {
    id,
    name,
    driver: name === 'host' ? 'host' : 'null',
    created,
    internal: false,
    attachable: false,
    enableIPv6: false,
    labels: {},
    options: {},
    ipamDriver: 'default',
    ipamOptions: null,
    subnets: [],
  };
}

/** Networks in memory, one JSON file each under `root`; the built-in ones are added by the caller. */
export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  private constructor(private readonly root: string) {}

  static async open(root: string, onUnreadable: (file: string, err: unknown) => void): Promise<NetworkStore> {
    await prepareAtomicDir(root);
    const store = new NetworkStore(root);
    for (const entry of readdirSync(root)) {
      if (!entry.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(join(root, entry), 'utf8')) as NetworkRecord;
        store.byId.set(record.id, record);
      } catch (err) {
        onUnreadable(join(root, entry), err);
      }
    }
    return store;
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  /** Adds a network to memory only: a built-in one, or one put back after its removal failed. */
  keep(record: NetworkRecord): void {
    this.byId.set(record.id, record);
  }

  async save(record: NetworkRecord): Promise<void> {
    await writeFileAtomic(join(this.root, `${record.id}.json`), JSON.stringify(record), 0o600);
    this.byId.set(record.id, record);
  }

  /** Drops a network from memory only (the default bridge under `--bridge=none`). */
  forget(id: string): void {
    this.byId.delete(id);
  }

  /** Gone from memory at once, so nothing joins a network while its file goes; back if the file stays. */
  async remove(id: string): Promise<void> {
    const record = this.byId.get(id);
    this.byId.delete(id);
    try {
      await rm(join(this.root, `${id}.json`), { force: true });
    } catch (err) {
      if (record) this.byId.set(id, record);
      throw err;
    }
  }

  /** moby's FindNetwork: a full ID, then a name, then a unique ID prefix. */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const named = this.all().find((n) => n.name === ref);
    if (named) return named;
    const matches = /^[0-9a-f]+$/.test(ref) ? this.all().filter((n) => n.id.startsWith(ref)) : [];
    if (matches.length > 1) throw new InvalidArgumentError(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`);
    return matches[0];
  }

  get(ref: string): NetworkRecord {
    const network = this.find(ref);
    if (!network) throw new NotFoundError(`network ${ref} not found`);
    return network;
  }
}
