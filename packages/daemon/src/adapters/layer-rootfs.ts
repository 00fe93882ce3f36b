import { join } from 'node:path';
import { directorySize, type LayerStore } from '@berth/layer';
import type { ContainerRootfs } from '../ports.js';

/** The ContainerRootfs port over the layer store's overlay mounts. */
export function layerRootfs(layers: LayerStore): ContainerRootfs {
  return {
    mountContainerRoot: (dir, parentChainId) => layers.mountContainerRoot(dir, parentChainId),
    unmountContainerRoot: (dir) => layers.unmountContainerRoot(dir),
    diffDirs: (chainId) => layers.diffDirs(chainId),
    // The read-write layer is the overlay's upper dir in the container's dir.
    readWriteSize: (dir) => directorySize(join(dir, 'upper')),
  };
}
