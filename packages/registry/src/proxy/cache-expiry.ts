import type { StorageDriver } from '../storage/storage-driver.js';
import { PathNotFoundError } from '../storage/storage-driver.js';

/** Something the cache fetched from upstream: a blob or a manifest of a repository. */
export interface CachedEntry {
  kind: 'blob' | 'manifest';
  repository: string;
  digest: string;
}

interface ScheduledEntry extends CachedEntry {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

// Beside the Go layout's `docker/` tree, in a file of our own: the Go registry's scheduler-state.json has another shape.
export const EXPIRY_STATE_PATH = '/berth-proxy-expiry.json';
const RETRY_MS = 60_000;
// setTimeout's ceiling; a later expiry is re-armed when this one fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When each entry the cache fetched expires (`proxy.ttl` after it was fetched), kept through the
 * storage driver so the schedule survives a restart. `expire` removes an entry's content from the
 * cache; the next request fetches it again.
 */
export class CacheExpiry {
  private readonly entries = new Map<string, ScheduledEntry>();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly driver: StorageDriver,
    private readonly ttlMs: number,
    private readonly expire: (entry: CachedEntry) => Promise<void>,
    private readonly log: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the schedule and expires what is already due. */
  async start(): Promise<void> {
    for (const entry of await this.load()) this.entries.set(keyOf(entry), entry);
    await this.sweep();
  }

  /** Schedules an entry `ttl` from now (again, when it was fetched before). */
  async add(entry: CachedEntry): Promise<void> {
    this.entries.set(keyOf(entry), { ...entry, expiresAt: this.now() + this.ttlMs });
    this.arm();
    await this.save();
  }

  /** Stops the timer and waits for the last write of the schedule. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.saving.catch(() => undefined);
  }

  /** Entries by expiry, for inspection. */
  scheduled(): ScheduledEntry[] {
    return [...this.entries.values()].sort((a, b) => a.expiresAt - b.expiresAt);
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped || this.entries.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) next = Math.min(next, entry.expiresAt);
    this.timer = setTimeout(() => void this.sweep(), Math.min(Math.max(next - this.now(), 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  /** Expires every entry that is due now; the timer calls it at the earliest expiry. */
  async sweep(): Promise<void> {
    const now = this.now();
    const due = [...this.entries.values()].filter((entry) => entry.expiresAt <= now);
    for (const entry of due) {
      try {
        await this.expire(entry);
        this.entries.delete(keyOf(entry));
      } catch (err) {
        // Kept and tried again a minute later, rather than forgotten with its content still cached.
        entry.expiresAt = now + RETRY_MS;
        this.log(`expiring ${entry.kind} ${entry.repository}@${entry.digest}: ${(err as Error).message}`);
      }
    }
    // Never rejects (the timer calls it): a schedule that cannot be written now is written with the next change.
    if (due.length > 0) await this.save().catch((err: Error) => this.log(`saving the cache's expiry schedule: ${err.message}`));
    this.arm();
  }

  /** Writes the schedule whole; writes run one after the other, each with the latest entries. */
  private save(): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => this.driver.putContent(EXPIRY_STATE_PATH, Buffer.from(JSON.stringify({ version: 1, entries: this.scheduled() }))));
    return this.saving;
  }

  private async load(): Promise<ScheduledEntry[]> {
    let content: Buffer;
    try {
      content = await this.driver.getContent(EXPIRY_STATE_PATH);
    } catch (err) {
      if (err instanceof PathNotFoundError) return [];
      throw err;
    }
    try {
      const { entries } = JSON.parse(content.toString('utf8')) as { entries?: unknown };
      return Array.isArray(entries) ? entries.filter(isScheduledEntry) : [];
    } catch {
      this.log(`${EXPIRY_STATE_PATH} is not JSON: the cache's expiry schedule starts empty`);
      return [];
    }
  }
}

function keyOf(entry: CachedEntry): string {
  return `${entry.kind} ${entry.repository}@${entry.digest}`;
}

function isScheduledEntry(value: unknown): value is ScheduledEntry {
  const entry = value as Partial<ScheduledEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    (entry.kind === 'blob' || entry.kind === 'manifest') &&
    typeof entry.repository === 'string' &&
    typeof entry.digest === 'string' &&
    typeof entry.expiresAt === 'number'
  );
}
