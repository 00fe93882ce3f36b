import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerInspect, ContainerSummary } from '@berth/api';
import type { EventContainer } from '../events/engine-events.js';
import type { ContainerCgroups, ContainerHost, ContainerRootfs, ImageResolver, NetworkService } from '../ports.js';
import type { ContainerCore } from './container-core.js';
import { containerListFilter } from './list-filters.js';
import { emptyStats, ZERO_TIME, type ContainerStats } from './stats.js';
import { containerTop, type TopResult } from './top.js';
import { inspectView, summaryView } from './views.js';
import type { IdMappings } from '@berth/layer';

export interface ListOptions {
  all?: boolean;
  limit?: number;
  filters?: Record<string, string[]>;
}

/** dockerd's stats collection interval. */
const STATS_INTERVAL_MS = 1000;

/** What the API reads about containers without changing them. */
export interface ContainerInspection {
  list(options?: ListOptions): ContainerSummary[];
  inspect(ref: string): ContainerInspect;
  /** Adds SizeRw (the read-write layer) and SizeRootFs (with the image) to list rows or an inspect, for `?size=1`. */
  withSizes<T extends { Id: string }>(rows: T[], imageSize: (imageId: string) => number): Promise<Array<T & { SizeRw: number; SizeRootFs: number }>>;
  /** `docker top`: the container's processes as the host's `ps` shows them. */
  top(ref: string, psArgs?: string): Promise<TopResult>;
  /** One stats sample (zeroes for a container that is not running); without `oneShot` the second of two, a second apart, as dockerd's. */
  stats(ref: string, options: { oneShot: boolean }): Promise<ContainerStats>;
  /** A sample a second until the container is gone or `signal` aborts (the client left). */
  statsStream(ref: string, signal: AbortSignal): AsyncIterable<ContainerStats>;
  /** What events about a container name (exec and commit happen outside the container services); it stays readable after a removal. */
  eventSubject(ref: string): EventContainer;
  /** The user namespace mapping the container runs with (the daemon's `--userns-remap`); none when it has the host's. */
  userNamespace(ref: string): IdMappings | undefined;
  /** Containers created from an image, for the image store's delete rules. */
  usersOfImage(imageId: string): Array<{ id: string; running: boolean }>;
  /** The image top layer under each container's read-write layer: the image store must keep them. */
  imageLayersInUse(): Array<string | null>;
  counts(): { total: number; running: number; paused: number; stopped: number };
}

export interface InspectionServiceOptions {
  images: ImageResolver;
  rootfs: ContainerRootfs;
  cgroups: ContainerCgroups;
  host: Pick<ContainerHost, 'processTable'>;
  network: Pick<NetworkService, 'state'>;
}

export class InspectionService implements ContainerInspection {
  constructor(
    private readonly core: ContainerCore,
    private readonly o: InspectionServiceOptions,
  ) {}

  list(options: ListOptions = {}): ContainerSummary[] {
    const { store, removing } = this.core;
    const now = new Date();
    const { predicate, impliesAll } = containerListFilter(options.filters ?? {}, {
      find: (ref) => store.get(ref),
      imageIds: (ref) => this.imageIds(ref),
      isRemoving: (id) => removing.has(id),
    });
    let records = store.all().filter(predicate).sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
    if (!options.all && !impliesAll && !(options.limit && options.limit > 0)) records = records.filter((c) => c.state.running);
    if (options.limit && options.limit > 0) records = records.slice(0, options.limit);
    return records.map((c) => summaryView(c, now, removing.has(c.id), this.o.network.state(c)));
  }

  private imageIds(ref: string): string[] {
    try {
      return [this.o.images.resolve(ref).id];
    } catch {
      return [];
    }
  }

  inspect(ref: string): ContainerInspect {
    const { core } = this;
    const c = core.store.get(ref);
    return inspectView(c, {
      paths: { dir: core.store.dirOf(c.id), logPath: core.taskSpec(c).logPath },
      runtime: core.runtime.name,
      lowerDirs: c.imageChainId === null ? [] : this.o.rootfs.diffDirs(c.imageChainId),
      removing: core.removing.has(c.id),
      network: this.o.network.state(c),
    });
  }

  async withSizes<T extends { Id: string }>(rows: T[], imageSize: (imageId: string) => number): Promise<Array<T & { SizeRw: number; SizeRootFs: number }>> {
    const { store } = this.core;
    return Promise.all(
      rows.map(async (row) => {
        // Looked up before the walk: a container removed meanwhile must not fail the whole list.
        const imageId = store.find(row.Id)?.imageId ?? '';
        const sizeRw = await this.o.rootfs.readWriteSize(store.dirOf(row.Id));
        return { ...row, SizeRw: sizeRw, SizeRootFs: sizeRw + imageSize(imageId) };
      }),
    );
  }

  async top(ref: string, psArgs?: string): Promise<TopResult> {
    const c = this.core.store.get(ref);
    this.core.assert('top', c);
    // Docker's default arguments: ps -ef.
    return containerTop(await this.o.cgroups.pids(c.id), psArgs || '-ef', (args) => this.o.host.processTable(args));
  }

  async stats(ref: string, options: { oneShot: boolean }): Promise<ContainerStats> {
    const sample = await this.sample(ref);
    // The second sample gives precpu_stats, so a client can work out a CPU percentage.
    if (options.oneShot || sample.read === ZERO_TIME) return sample;
    await sleep(STATS_INTERVAL_MS);
    return this.sample(ref, sample);
  }

  statsStream(ref: string, signal: AbortSignal): AsyncIterable<ContainerStats> {
    // Looked up now: a missing container is a 404 before any output.
    return this.samples(this.core.store.get(ref).id, signal);
  }

  private async *samples(id: string, signal: AbortSignal): AsyncIterable<ContainerStats> {
    let previous: ContainerStats | undefined;
    while (!signal.aborted) {
      try {
        previous = await this.sample(id, previous);
      } catch {
        return;
      }
      yield previous;
      await sleep(STATS_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  private async sample(ref: string, previous?: ContainerStats): Promise<ContainerStats> {
    const c = this.core.store.get(ref);
    if (!c.state.running) return emptyStats(c.name, c.id);
    return this.o.cgroups.sample(c.id, c.name, previous);
  }

  eventSubject(ref: string): EventContainer {
    return this.core.store.get(ref);
  }

  userNamespace(ref: string): IdMappings | undefined {
    return this.core.userNamespaceOf(this.core.store.get(ref));
  }

  usersOfImage(imageId: string): Array<{ id: string; running: boolean }> {
    return this.core.store
      .all()
      .filter((c) => c.imageId === imageId)
      .map((c) => ({ id: c.id, running: c.state.running }));
  }

  imageLayersInUse(): Array<string | null> {
    return this.core.store.all().map((c) => c.imageChainId);
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.core.store.all();
    const running = all.filter((c) => c.state.running && !c.state.paused).length;
    const paused = all.filter((c) => c.state.paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }
}
