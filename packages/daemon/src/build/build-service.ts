import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkFilterKeys, dockerignoreMatcher, InvalidArgumentError, NotFoundError, parseUntil, type BuildCacheRecord } from '@berth/api';
import { BuildContext, buildImage, ContextReuse, type BaseImage, type BuildBackend, type BuildOutput, type BuildRequest } from '@berth/builder';
import type { BuildCachePruneReport, ImageStore } from '@berth/image';
import { formatPlatform, HOST_ARCHITECTURE, parsePlatform, platformMatches, type Platform } from '@berth/oci';
import { familiarName, parseNormalizedNamed, withDefaultTag } from '@berth/reference';
import type { RegistryAccess } from '../ports.js';
import { createStepContainer, type StepContainerServices } from './step-containers.js';

export interface BuildServiceOptions {
  steps: StepContainerServices;
  images: Pick<ImageStore, 'resolve' | 'findCached' | 'publish' | 'tag' | 'create' | 'buildCache' | 'pruneBuildCache'>;
  registries: Pick<RegistryAccess, 'pull'>;
  /** Whether a container uses the image (its cache record is in use). */
  isInUse: (id: string) => boolean;
  /** Where build contexts are unpacked while their build runs. */
  tmpDir: string;
  /** Where the last successful build's context is kept for the next to link its unchanged files from. */
  contextCacheDir: string;
}

const HOST_PLATFORM: Platform = { os: 'linux', architecture: HOST_ARCHITECTURE };

/** Credentials per registry for FROM pulls (the decoded `X-Registry-Config`). */
export type RegistryAuths = Record<string, { username?: string; password?: string }>;

/** What one `POST /build` brings: the request, the context tar or a Dockerfile alone, and credentials. */
export interface BuildJob {
  request: BuildRequest;
  /** The request body: the context as a tar, plain or compressed. */
  body: Readable;
  auths: RegistryAuths;
  /** `--platform`: only the host's, which is what every step runs as. */
  platform?: string;
}

/** The credentials the config holds for the registry a reference names. */
function authFor(auths: RegistryAuths, ref: string): { username: string; password: string } | undefined {
  const domain = parseNormalizedNamed(ref).domain;
  const hostOf = (key: string): string => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const entry = Object.entries(auths).find(([key]) => hostOf(key) === domain || (domain === 'docker.io' && hostOf(key) === 'index.docker.io'))?.[1];
  return entry?.username !== undefined && entry.password !== undefined ? { username: entry.username, password: entry.password } : undefined;
}

/** `POST /build` and the build cache: the builder over the engine's containers, images and registries. */
export class BuildService {
  /** The images each running build stands on (its bases and step results): never pruned under it. */
  private readonly held = new Set<Set<string>>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private readonly contexts: ContextReuse;

  constructor(private readonly o: BuildServiceOptions) {
    this.contexts = new ContextReuse(o.contextCacheDir);
  }

  private readonly inUse = (id: string): boolean => this.o.isInUse(id) || [...this.held].some((images) => images.has(id));

  /** Stops the builds under way (their step containers are removed) and waits for them. */
  async close(): Promise<void> {
    this.closing.abort(new Error('the daemon is shutting down'));
    await Promise.allSettled([...this.running]);
  }

  build(job: BuildJob, output: BuildOutput, signal: AbortSignal): Promise<string> {
    const images = new Set<string>();
    this.held.add(images);
    const running = this.run(job, output, AbortSignal.any([signal, this.closing.signal]), images).finally(() => {
      this.held.delete(images);
      this.running.delete(running);
    });
    this.running.add(running);
    return running;
  }

  private async run(job: BuildJob, output: BuildOutput, signal: AbortSignal, held: Set<string>): Promise<string> {
    signal.throwIfAborted();
    if (job.platform !== undefined && !platformMatches(parsePlatform(job.platform), HOST_PLATFORM)) {
      throw new InvalidArgumentError(`platform ${job.platform} is not supported: the builder builds for the host's (${formatPlatform(HOST_PLATFORM)})`);
    }
    await mkdir(this.o.tmpDir, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.o.tmpDir, 'context-'));
    const lend = await this.contexts.lender();
    try {
      const context = await BuildContext.extract(job.body, join(dir, 'context'), {
        ignoreRules: dockerignoreMatcher,
        ...(job.request.dockerfile !== undefined ? { dockerfile: job.request.dockerfile } : {}),
        ...(lend !== undefined ? { lend } : {}),
      });
      const { imageId } = await buildImage(job.request, context, this.backend(job.auths, held), output, signal);
      // Only a context that built is kept: a failed build (a full disk among the causes) leaves the store as it found it.
      // Keeping is an optimisation: a context that cannot be kept is removed below, and the build stands.
      await this.contexts.keep(context).catch(() => undefined);
      return imageId;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async usage(): Promise<BuildCacheRecord[]> {
    const kept = await this.contexts.usage();
    const records = this.o.images.buildCache(this.inUse);
    if (kept === undefined) return records;
    return [
      ...records,
      {
        ID: kept.id,
        Parents: null,
        Type: 'source.local',
        Description: 'local source for context',
        InUse: false,
        Shared: false,
        Size: kept.size,
        CreatedAt: kept.keptAt.toISOString(),
        LastUsedAt: kept.lastUsedAt.toISOString(),
        UsageCount: kept.usageCount,
      },
    ];
  }

  /**
   * The kept context counts as the newest record (it is kept at the end of the last successful build):
   * with `keepStorage`, it keeps its share first and the step images, oldest first, what is left; it
   * goes when `until` does not spare it and it alone exceeds `keepStorage` (or there is none).
   */
  async prune(options: { keepStorage?: number; filters?: Record<string, string[]> }): Promise<BuildCachePruneReport> {
    const filters = options.filters ?? {};
    checkFilterKeys(filters, new Set(['until']));
    const until = filters.until?.length ? Math.min(...filters.until.map((value) => parseUntil(value, new Date()))) : undefined;
    const kept = await this.contexts.usage();
    const limit = options.keepStorage !== undefined && options.keepStorage > 0 ? options.keepStorage : undefined;
    const spared = kept !== undefined && ((until !== undefined && kept.keptAt.getTime() >= until) || (limit !== undefined && kept.size <= limit));
    // The step images keep what the context leaves of the limit; nothing left (0): all of them go.
    const imagesLimit = limit === undefined ? 0 : Math.max(0, limit - (spared ? kept.size : 0));
    const report = await this.o.images.pruneBuildCache({ ...options, keepStorage: imagesLimit, isInUse: this.inUse });
    if (kept === undefined || spared) return report;
    // Only the context decided on: one a build kept meanwhile is the next prune's.
    const dropped = await this.contexts.drop(kept.id);
    if (dropped === undefined) return report;
    return { CachesDeleted: [...report.CachesDeleted, dropped.id], SpaceReclaimed: report.SpaceReclaimed + dropped.size };
  }

  private backend(auths: RegistryAuths, held: Set<string>): BuildBackend {
    const { images, registries, steps } = this.o;
    const hold = (id: string): string => {
      held.add(id);
      return id;
    };
    const local = (ref: string): BaseImage | undefined => {
      try {
        const image = images.resolve(ref);
        return { id: hold(image.id), config: image.config };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    };
    return {
      async baseImage(ref, { pull, platform, progress, signal }) {
        const found = pull ? undefined : local(ref);
        if (found !== undefined) return found;
        const named = withDefaultTag(parseNormalizedNamed(ref));
        const auth = authFor(auths, ref);
        await registries.pull(familiarName(named), {
          tag: named.digest ?? named.tag,
          ...(platform !== undefined ? { platform } : {}),
          ...(auth !== undefined ? { auth } : {}),
          onProgress: progress,
          signal,
        });
        const pulled = local(ref);
        if (pulled === undefined) throw new NotFoundError(`No such image: ${ref}`);
        return pulled;
      },
      image: (id) => local(id),
      createContainer: (spec) => createStepContainer(steps, spec, hold),
      createImage: async (parent, image) =>
        hold(
          await images.create({
          ...(parent !== null ? { parent } : {}),
          runConfig: image.runConfig,
          history: { ...image.history, ...(image.author !== undefined ? { author: image.author } : {}) },
          ...(image.author !== undefined ? { author: image.author } : {}),
          buildCache: { key: image.cacheKey },
        }),
        ),
      cached: (key) => {
        const id = images.findCached(key);
        return id === undefined ? undefined : hold(id);
      },
      async publish(imageId, tags) {
        await images.publish(imageId);
        for (const tag of tags) await images.tag(imageId, tag);
      },
    };
  }
}
