import type { ContainerStatsResponse } from '@berth/api';
import { emptyStatsEntry, invalidStatsEntry, statsEntry, type StatsEntry } from './format/stats-row.js';

/** How long docker's CLI waits for a container's next sample before showing its numbers as `--`. */
const SAMPLE_TIMEOUT_MS = 2000;

/** Where samples come from: one (`--no-stream`), or a stream that ends when the container is removed. */
export interface StatsSource {
  sample(container: string): Promise<ContainerStatsResponse>;
  stream(container: string, signal: AbortSignal): Promise<AsyncIterable<ContainerStatsResponse>>;
}

/** One followed container: its last entry, its error, and the first sample (or failure) docker waits for. */
class Followed {
  entry: StatsEntry;
  error: unknown;
  readonly abort = new AbortController();
  readonly first: Promise<void>;
  private settleFirst!: () => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly container: string) {
    this.entry = emptyStatsEntry(container);
    this.first = new Promise((resolve) => (this.settleFirst = resolve));
  }

  sampled(sample: ContainerStatsResponse): void {
    this.entry = statsEntry(this.container, sample);
    this.error = undefined;
    this.settleFirst();
    this.waitForNext();
  }

  failed(err: unknown): void {
    this.entry = invalidStatsEntry(this.entry);
    this.error = err;
    this.settleFirst();
  }

  /** A container that sends nothing for a while shows `--` (docker's "timeout waiting for stats"). */
  waitForNext(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.failed(new Error('timeout waiting for stats')), SAMPLE_TIMEOUT_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.abort.abort();
    this.settleFirst();
  }
}

/** The containers `stats` shows, in the order they were added, each collected as docker's CLI collects it. */
export class StatsCollector {
  private readonly followed: Followed[] = [];

  constructor(
    private readonly source: StatsSource,
    private readonly streaming: boolean,
  ) {}

  /** Starts collecting for a container; false when it is followed already. */
  add(container: string): boolean {
    if (this.followed.some((f) => f.container === container)) return false;
    const followed = new Followed(container);
    this.followed.push(followed);
    void this.collect(followed);
    return true;
  }

  remove(container: string): void {
    const index = this.followed.findIndex((f) => f.container === container);
    if (index < 0) return;
    this.followed[index]!.stop();
    this.followed.splice(index, 1);
  }

  /** Resolves once every container followed so far has had its first sample, or failed. */
  async firstSamples(): Promise<void> {
    await Promise.all(this.followed.map((f) => f.first));
  }

  errors(): unknown[] {
    return this.followed.filter((f) => f.error !== undefined).map((f) => f.error);
  }

  entries(): StatsEntry[] {
    return this.followed.map((f) => f.entry);
  }

  get size(): number {
    return this.followed.length;
  }

  close(): void {
    for (const f of this.followed) f.stop();
  }

  private async collect(f: Followed): Promise<void> {
    f.waitForNext();
    try {
      if (!this.streaming) {
        f.sampled(await this.source.sample(f.container));
        f.stop();
        return;
      }
      for await (const sample of await this.source.stream(f.container, f.abort.signal)) f.sampled(sample);
      // The stream ends when the container is removed: docker keeps its row, shown as `--`.
      f.failed(new Error('EOF'));
    } catch (err) {
      if (!f.abort.signal.aborted) f.failed(err);
    }
  }
}
