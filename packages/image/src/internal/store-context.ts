import type { LayerStore } from '@berth/layer';
import type { ContentStore } from './content-store.js';
import type { ImageCatalog } from './image-catalog.js';
import type { LayerHolds } from './layer-holds.js';
import type { MetadataStore } from './metadata-store.js';
import type { ReferenceStore } from './reference-store.js';
import type { SerialQueue } from '@berth/api';

/** What the store did to an image, named as Docker's image events name it; the daemon publishes them. */
export interface ImageEvent {
  action: 'tag' | 'untag' | 'delete' | 'load' | 'save' | 'create' | 'import' | 'pull' | 'push';
  /** The image ID (for a `pull` or `push`, the reference, as moby reports it). */
  id: string;
  /** The reference a `tag` made; the repository of a `pull` or `push`; the image ID for the other actions, as moby reports them. */
  name: string;
}

export interface ImageStoreOptions {
  /** Told about images skipped, unusable (a layer missing or quarantined) or references dropped while opening. */
  log?: (message: string) => void;
  /** Told of each image tagged, untagged, deleted, loaded, saved, committed or imported, as it happens. */
  onEvent?: (event: ImageEvent) => void;
  /** Top layers held outside images (containers' read-only stacks): they and their parents are never removed. */
  layersInUse?: () => Iterable<string | null>;
  /** Cap on the decompressed size of an archive given to `load` or `import` (the layer store caps each layer). */
  maxArchiveBytes?: number;
}

/** The image store's state, which `ImageStore` owns and hands to each of its operations. */
export interface StoreContext {
  readonly catalog: ImageCatalog;
  readonly layers: LayerStore;
  readonly content: ContentStore;
  readonly refs: ReferenceStore;
  readonly metadata: MetadataStore;
  /** Mutations run one at a time through it. */
  readonly queue: SerialQueue;
  readonly holds: LayerHolds;
  readonly options: ImageStoreOptions;
  /** Staging for archives being loaded; cleared on open. */
  readonly tmpDir: string;
}

export function reportEvent(context: StoreContext, action: ImageEvent['action'], id: string, name = id): void {
  context.options.onEvent?.({ action, id, name });
}
