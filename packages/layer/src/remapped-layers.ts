import type { IdMappings } from './id-mapping.js';

/** A chain of layers on disk, as a remapped root's strategy mounts it. */
export interface LayerChainOnDisk {
  /** The layer store's root: overlay lower dirs given relative to it resolve from there. */
  root: string;
  /** Top first: each layer's diff dir and short link name. */
  layers: Array<{ diff: string; link: string }>;
  /** The lower dirs of the plain layers, relative to `root` (an empty dir for an empty chain). */
  lowerdirs: string[];
  /** An empty directory, absolute: the lower dir of an empty chain. */
  emptyDir: string;
  /** Where work in progress goes (same filesystem, cleared at open). */
  stagingDir: string;
  /** Mount the root `volatile` (see mountOverlayRoot). */
  volatile?: boolean;
}

/**
 * How a remapped container's root shows the image's layers with its ownership: through idmapped mounts
 * (IdmappedLayers) or over chowned copies (ShiftedLayers).
 */
export interface RemappedLayers {
  readonly mappings: IdMappings;
  /** Mounts the overlay of `chain` with `<dir>/upper` at `<dir>/rootfs`; returns that path. */
  mountRoot(dir: string, chain: LayerChainOnDisk): Promise<string>;
}
