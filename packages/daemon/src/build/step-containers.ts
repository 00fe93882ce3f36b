import { readdir } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { NotFoundError, type ContainerCreateRequest } from '@berth/api';
import type { NewStepImage, PathInfo, StepContainer, StepContainerSpec } from '@berth/builder';
import type { ImageStore } from '@berth/image';
import { LinkableFiles, upperDirTar } from '@berth/layer';
import type { ArchiveService } from '../archive/archive.js';
import { GO_MODE_DIR } from '../archive/path-stat.js';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerIo } from '../container/io-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import { containerViewOwners } from '../container/user-namespace.js';

export interface StepContainerServices {
  lifecycle: Pick<ContainerLifecycle, 'create' | 'start' | 'wait' | 'kill' | 'remove' | 'markForRemoval'>;
  io: Pick<ContainerIo, 'attach'>;
  inspection: Pick<ContainerInspection, 'inspect' | 'userNamespace'>;
  archives: Pick<ArchiveService, 'stat' | 'get' | 'put' | 'resolveOwner' | 'dropRuntimePlaceholders'>;
  images: Pick<ImageStore, 'create' | 'findCached'>;
}

const SCRATCH_KEY = 'scratch';

/** The image a `FROM scratch` step container starts from: no layers, no config. Its ID is fixed, so it is written only when absent. */
async function scratchImage(images: Pick<ImageStore, 'create' | 'findCached'>): Promise<string> {
  return images.findCached(SCRATCH_KEY) ?? images.create({ runConfig: {}, history: { created: new Date(0).toISOString(), created_by: '' }, buildCache: { key: SCRATCH_KEY } });
}

/** True when an overlay upper dir holds no change (a RUN that changed nothing adds no layer, as moby's). */
async function isUnchanged(upper: string | undefined): Promise<boolean> {
  if (upper === undefined) return true;
  try {
    return (await readdir(upper)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** A build step's container over the engine's own container services: created, run, read, written, committed, removed. */
export async function createStepContainer(services: StepContainerServices, spec: StepContainerSpec, hold: (imageId: string) => string): Promise<StepContainer> {
  const { lifecycle, io, inspection, archives, images } = services;
  const config = spec.config;
  const request: ContainerCreateRequest = {
    Image: spec.image ?? hold(await scratchImage(images)),
    ...(config.User !== undefined ? { User: config.User } : {}),
    Env: config.Env ?? [],
    Cmd: config.Cmd ?? null,
    // `[""]` drops the image's entrypoint, as moby's step containers do.
    Entrypoint: config.Entrypoint ?? [''],
    ...(config.WorkingDir ? { WorkingDir: config.WorkingDir } : {}),
    ...(config.Shell !== undefined ? { Shell: config.Shell } : {}),
    Healthcheck: { Test: ['NONE'] },
    HostConfig: { NetworkMode: spec.networkMode },
  };
  const { Id: id } = await lifecycle.create(request, { withoutImageVolumes: !spec.imageVolumes, throwawayRoot: spec.removed });
  return {
    id,
    async run(stdout: Writable, stderr: Writable, signal: AbortSignal): Promise<number> {
      let ended!: () => void;
      const outputDone = new Promise<void>((resolve) => (ended = resolve));
      await io.attach(id, { stdout, stderr, end: ended, closed: new Promise<void>(() => undefined) });
      const exited = lifecycle.wait(id, 'next-exit');
      const kill = (): void => void lifecycle.kill(id).catch(() => undefined);
      signal.addEventListener('abort', kill, { once: true });
      try {
        await lifecycle.start(id);
        const { StatusCode } = await exited;
        await outputDone;
        signal.throwIfAborted();
        return StatusCode;
      } finally {
        signal.removeEventListener('abort', kill);
      }
    },
    async stat(path: string): Promise<PathInfo | undefined> {
      try {
        const stat = await archives.stat(id, path);
        if (stat.linkTarget === '') return { isDirectory: stat.mode >= GO_MODE_DIR, linkTarget: '' };
        // A symlink to a directory is a directory to COPY: look through it, inside the container.
        const through = await archives.stat(id, `${path.replace(/\/+$/, '')}/.`).catch(() => undefined);
        return { isDirectory: through !== undefined && through.mode >= GO_MODE_DIR, linkTarget: stat.linkTarget };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },
    put: (path: string, tar: Readable) => archives.put(id, path, tar, { noOverwriteDirNonDir: false, copyUIDGID: false }),
    get: async (path: string) => (await archives.get(id, path)).tar,
    resolveOwner: (user: string) => archives.resolveOwner(id, user),
    async commit(image: NewStepImage): Promise<string> {
      await archives.dropRuntimePlaceholders(id);
      const upper = inspection.inspect(id).GraphDriver.Data?.UpperDir;
      const changed = !(await isUnchanged(upper));
      // A container the build removes next can give the layer its files instead of having them written again, once
      // it is marked for removal: from then on nothing starts it, writes into it, or keeps it past a restart.
      const files = changed && spec.removed && (await lifecycle.markForRemoval(id, { volumes: true })) ? new LinkableFiles() : undefined;
      const owner = containerViewOwners(inspection.userNamespace(id));
      const layer = changed ? upperDirTar(upper!, { owner, ...(files !== undefined ? { linkable: files } : {}) }) : undefined;
      try {
        const committed = await images.create({
          ...(spec.image !== null ? { parent: spec.image } : {}),
          ...(layer !== undefined ? { layer } : {}),
          ...(layer !== undefined && files !== undefined ? { layerFiles: files } : {}),
          runConfig: image.runConfig,
          history: { ...image.history, ...(image.author !== undefined ? { author: image.author } : {}) },
          ...(image.author !== undefined ? { author: image.author } : {}),
          container: id,
          buildCache: { key: image.cacheKey },
        });
        return hold(committed);
      } finally {
        // A store that failed before reading it leaves the walk waiting on the tar, its files open.
        layer?.destroy();
        await files?.close();
      }
    },
    remove: () => lifecycle.remove(id, { force: true, volumes: true }),
  };
}
