import type { Readable } from 'node:stream';
import { applyChanges, type ImageStore } from '@berth/image';
import { parsePlatform } from '@berth/oci';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import type { EngineEvents } from '../events/engine-events.js';
import { commitContainer, type CommitOptions } from './commit.js';

export interface ImportOptions {
  /** `repo[:tag]`, or none for an untagged image. */
  tag?: string;
  /** The history comment; default "Imported from <source>". */
  message: string;
  /** Where the archive came from, as the client named it (`-`: the request body). */
  source: string;
  /** Dockerfile instructions (`--change`) applied to the new image's config. */
  changes: string[];
  /** `os[/arch[/variant]]` the image is recorded for. */
  platform?: string;
}

/** Images made from a filesystem: `docker import` and `docker commit`. */
export interface ImageCreation {
  importArchive(archive: Readable, options: ImportOptions): Promise<string>;
  commit(options: CommitOptions): Promise<string>;
}

export function imageCreation(engine: {
  images: Pick<ImageStore, 'create'>;
  inspection: Pick<ContainerInspection, 'inspect' | 'eventSubject' | 'userNamespace'>;
  lifecycle: Pick<ContainerLifecycle, 'pause' | 'unpause'>;
  events: EngineEvents;
}): ImageCreation {
  return {
    importArchive(archive, options) {
      const comment = options.message === '' ? `Imported from ${options.source}` : options.message;
      return engine.images.create({
        layer: archive,
        runConfig: applyChanges({}, options.changes),
        history: { comment },
        comment,
        ...(options.tag !== undefined ? { tag: options.tag } : {}),
        event: 'import',
        ...(options.platform ? { platform: parsePlatform(options.platform) } : {}),
      });
    },
    commit: (options) => commitContainer(engine, options),
  };
}
