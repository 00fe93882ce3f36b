import { InternalError, NotFoundError } from '@berth/api';
import type { LayerStore } from '@berth/layer';
import type { ImageConfig } from '@berth/oci';
import {
  familiarString,
  isDigest,
  isImageIdPrefix,
  isImageIdentifier,
  parseNormalizedNamed,
  withDefaultTag,
  type NamedReference,
} from '@berth/reference';
import type { ImageNames, ImageRecord } from './image-views.js';
import type { ReferenceStore } from './reference-store.js';

/**
 * The images the store holds, in memory, and how names find them. An image whose layer is missing
 * stays here (see `ImageStore`): `problemOf` says why its content cannot be used.
 */
export class ImageCatalog {
  private readonly records = new Map<string, ImageRecord>();

  constructor(
    private readonly refs: ReferenceStore,
    private readonly layers: LayerStore,
  ) {}

  get(id: string): ImageRecord | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  all(): ImageRecord[] {
    return [...this.records.values()];
  }

  add(record: ImageRecord): void {
    this.records.set(record.id, record);
  }

  delete(id: string): void {
    this.records.delete(id);
  }

  /** Indexes an image just written, or refreshes the record it already has (a reload repairs a broken one). */
  index(id: string, config: ImageConfig, chain: string[]): ImageRecord {
    const size = this.chainSize(chain);
    const existing = this.records.get(id);
    if (existing !== undefined) {
      existing.size = size;
      return existing;
    }
    const record: ImageRecord = { id, config, chain, size };
    this.records.set(id, record);
    return record;
  }

  chainSize(chain: string[]): number {
    return chain.reduce((sum, chainId) => sum + this.layerSize(chainId), 0);
  }

  layerSize(chainId: string): number {
    return this.layers.get(chainId)?.size ?? 0;
  }

  /**
   * Docker's lookup order: a full ID, then a reference (default tag `latest`), then a unique ID
   * prefix. A malformed reference is an InvalidArgumentError, as Docker's "invalid reference format".
   */
  find(nameOrId: string): ImageRecord {
    const fullId = isImageIdentifier(nameOrId) ? `sha256:${nameOrId}` : isDigest(nameOrId) ? nameOrId : undefined;
    if (fullId !== undefined) {
      const record = this.records.get(fullId);
      if (record === undefined) throw new NotFoundError(`No such image: ${fullId}`);
      return record;
    }
    const ref = withDefaultTag(parseNormalizedNamed(nameOrId));
    const tagged = this.refs.get(ref);
    const byName = tagged === undefined ? undefined : this.records.get(tagged);
    if (byName !== undefined) return byName;
    if (isImageIdPrefix(nameOrId)) {
      const hex = nameOrId.startsWith('sha256:') ? nameOrId.slice('sha256:'.length) : nameOrId;
      const matches = this.all().filter((record) => record.id.startsWith(`sha256:${hex}`));
      if (matches.length === 1) return matches[0];
    }
    throw new NotFoundError(`No such image: ${familiarString(ref)}`);
  }

  namesOf(id: string, only: (ref: NamedReference) => boolean = () => true): ImageNames {
    const refs = this.refs.referencesTo(id).filter(only);
    return {
      repoTags: refs.filter((ref) => ref.digest === undefined).map(familiarString),
      repoDigests: refs.filter((ref) => ref.digest !== undefined).map(familiarString),
    };
  }

  /** Why an image's content cannot be used, if it cannot: the lowest layer of its chain that is not stored. */
  problemOf(record: ImageRecord): string | undefined {
    const missing = record.chain.find((chainId) => this.layers.get(chainId) === undefined);
    if (missing === undefined) return undefined;
    const quarantined = this.layers.quarantinedAt(missing);
    return quarantined === undefined ? `layer ${missing} is missing` : `layer ${missing} is quarantined at ${quarantined}`;
  }

  /** For operations that need an image's layers: a broken image is a server-side fault an operator must fix. */
  assertUsable(record: ImageRecord, name: string): ImageRecord {
    const problem = this.problemOf(record);
    if (problem !== undefined) throw new InternalError(`image ${name} is unusable: ${problem}; load it again or remove it`);
    return record;
  }

  /** `find` for operations that need the image's layers. */
  findUsable(nameOrId: string): ImageRecord {
    return this.assertUsable(this.find(nameOrId), nameOrId);
  }
}
