import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';
import { isDigest } from '@berth/reference';

/** Where a layer's compressed blob was seen: pulled from or pushed to a repository of a registry. */
export interface LayerSource {
  /** The blob's digest, size and media type (its compression), as the registry stores it. */
  digest: string;
  size: number;
  mediaType: string;
  /** The registry's host (`127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** The repository's path on it (`library/busybox`). */
  repository: string;
}

// Enough candidates for mounts across a few repositories; older sightings are forgotten first.
const MAX_SOURCES_PER_LAYER = 10;

/**
 * What moby calls v2 metadata: for each layer (by diff ID), the blobs it was pulled or pushed as, and
 * where. A push uses it to skip compressing a layer the registry has, or to mount the blob from
 * another repository of the same registry. Kept in one JSON file, rewritten atomically on change.
 */
export class LayerSources {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | undefined,
    private readonly byDiffId: Map<string, LayerSource[]>,
  ) {}

  /** Opens the file (missing or unreadable: nothing known yet); without one, sightings last as long as the object. */
  static async open(file?: string): Promise<LayerSources> {
    const known = new Map<string, LayerSource[]>();
    if (file !== undefined) {
      // Drops the temp file of a write the daemon died in (the file itself is whole); no dir yet, no temp file.
      // A dir that cannot be read (EACCES, EIO) is the daemon's error to report, not sightings to forget.
      if (existsSync(dirname(file))) await prepareAtomicDir(dirname(file));
      // An unreadable or damaged file costs only mounts and skipped compressions: start afresh.
      const parsed = await readFile(file, 'utf8')
        .then((text) => JSON.parse(text) as unknown)
        .catch(() => undefined);
      if (parsed !== null && typeof parsed === 'object') {
        for (const [diffId, sources] of Object.entries(parsed)) {
          if (isDigest(diffId) && Array.isArray(sources)) known.set(diffId, sources.filter(isLayerSource));
        }
      }
    }
    return new LayerSources(file, known);
  }

  /** The sightings of a layer, most recent first. */
  sourcesOf(diffId: string): readonly LayerSource[] {
    return this.byDiffId.get(diffId) ?? [];
  }

  /**
   * Records sightings (a repeated one moves to the front) and saves them, in one write. A write that
   * fails costs only later mounts and skipped compressions, never the pull or push that saw them:
   * it resolves all the same.
   */
  record(sightings: ReadonlyArray<{ diffId: string; source: LayerSource }>): Promise<void> {
    if (sightings.length === 0) return this.writing;
    for (const { diffId, source } of sightings) {
      const others = this.sourcesOf(diffId).filter((known) => !(known.digest === source.digest && known.registry === source.registry && known.repository === source.repository));
      this.byDiffId.set(diffId, [source, ...others].slice(0, MAX_SOURCES_PER_LAYER));
    }
    const file = this.file;
    if (file === undefined) return this.writing;
    // One write at a time, each of the whole map as it is when the write starts.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, JSON.stringify(Object.fromEntries(this.byDiffId)));
    }).catch(() => undefined);
    return this.writing;
  }
}

function isLayerSource(value: unknown): value is LayerSource {
  const source = value as LayerSource;
  return (
    typeof source === 'object' &&
    source !== null &&
    isDigest(source.digest) &&
    Number.isSafeInteger(source.size) &&
    typeof source.mediaType === 'string' &&
    typeof source.registry === 'string' &&
    typeof source.repository === 'string'
  );
}
