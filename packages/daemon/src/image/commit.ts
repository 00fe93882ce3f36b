import { Readable } from 'node:stream';
import { InternalError, type ContainerConfig } from '@berth/api';
import { applyChanges, type ImageStore } from '@berth/image';
import { upperDirTar } from '@berth/layer';
import type { ImageRunConfig } from '@berth/oci';
import { familiarString, parseNormalizedNamed, withDefaultTag } from '@berth/reference';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import { pathExists } from '../util/path-exists.js';
import type { EngineEvents } from '../events/engine-events.js';
import { containerViewOwners } from '../container/user-namespace.js';

export interface CommitOptions {
  container: string;
  /** `repo[:tag]`, or none for an untagged image. */
  tag?: string;
  comment?: string;
  author?: string;
  /** Freeze a running container while its upper dir is read (default true, as docker). */
  pause: boolean;
  changes: string[];
  /** The request body: container config fields that override the container's own. */
  overrides?: ContainerConfig;
}

const RUN_CONFIG_KEYS = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'Shell',
  'OnBuild',
] as const;

/** The image-relevant part of a container config; empty values do not count (moby's merge). */
function runConfigOf(config: Record<string, unknown> | undefined): ImageRunConfig {
  const result: Record<string, unknown> = {};
  for (const key of RUN_CONFIG_KEYS) {
    const value = config?.[key];
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    result[key] = value;
  }
  return result as ImageRunConfig;
}

/** The end-of-archive blocks alone: the layer of a container that never ran, whose upper dir is not made yet. */
const EMPTY_TAR = Buffer.alloc(1024);

/**
 * `docker commit`: the container's upper dir (its changes, with deletions as whiteouts) becomes a
 * new layer on the container's image, with the container's config plus the requested changes.
 * Reported as moby does: the image's `create` and `tag`, then the container's `commit`.
 */
export async function commitContainer(
  engine: { inspection: Pick<ContainerInspection, 'inspect' | 'eventSubject' | 'userNamespace'>; lifecycle: Pick<ContainerLifecycle, 'pause' | 'unpause'>; images: Pick<ImageStore, 'create'>; events: EngineEvents },
  options: CommitOptions,
): Promise<string> {
  const { inspection, lifecycle, images } = engine;
  const inspect = inspection.inspect(options.container);
  const subject = inspection.eventSubject(inspect.Id);
  const upper = inspect.GraphDriver.Data?.UpperDir;
  if (upper === undefined) throw new InternalError(`container ${inspect.Id} has no read-write layer`);
  const container = inspect.Config as unknown as Record<string, unknown>;
  const runConfig = applyChanges(
    { ...runConfigOf(container), ...runConfigOf(options.overrides) },
    options.changes,
  );
  let frozen = options.pause && inspect.State.Running === true && inspect.State.Paused !== true;
  if (frozen) await lifecycle.pause(inspect.Id);
  // Thawed as soon as the upper dir has been read, not after the image store's queue lets the commit in.
  const thaw = async (): Promise<void> => {
    if (!frozen) return;
    frozen = false;
    await lifecycle.unpause(inspect.Id);
  };
  try {
    const command = [...((container.Entrypoint as string[] | null) ?? []), ...((container.Cmd as string[] | null) ?? [])];
    const id = await images.create({
      parent: inspect.Image,
      // A remapped container's files are recorded with the ids it sees (its root is 0, as in dockerd's commit).
      layer: (await pathExists(upper)) ? upperDirTar(upper, { owner: containerViewOwners(inspection.userNamespace(inspect.Id)) }) : Readable.from([EMPTY_TAR]),
      onLayerStored: thaw,
      runConfig,
      history: {
        created_by: command.join(' '),
        ...(options.author ? { author: options.author } : {}),
        ...(options.comment ? { comment: options.comment } : {}),
      },
      ...(options.author ? { author: options.author } : {}),
      ...(options.comment ? { comment: options.comment } : {}),
      container: inspect.Id,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      event: 'create',
    });
    const imageRef = options.tag === undefined ? '' : familiarString(withDefaultTag(parseNormalizedNamed(options.tag)));
    engine.events.container('commit', subject, { comment: options.comment ?? '', imageID: id, imageRef });
    return id;
  } finally {
    await thaw();
  }
}
