import { join } from 'node:path';
import { InternalError } from '@berth/api';
import { directorySize, sameIdMappings, type LayerStore, type RemappedLayers } from '@berth/layer';
import type { ContainerRootfs } from '../ports.js';

/** The ContainerRootfs port over the layer store's overlay mounts; `remapped` shows the layers to the daemon's remapped containers. */
export function layerRootfs(layers: LayerStore, remapped?: RemappedLayers): ContainerRootfs {
  return {
    mountContainerRoot: (dir, parentChainId, userNamespace, options) => {
      if (userNamespace === undefined) return layers.mountContainerRoot(dir, parentChainId, undefined, options);
      if (remapped === undefined || !sameIdMappings(remapped.mappings, userNamespace)) throw new InternalError('no remapped layers for this user namespace mapping');
      return layers.mountContainerRoot(dir, parentChainId, remapped, options);
    },
    unmountContainerRoot: (dir) => layers.unmountContainerRoot(dir),
    diffDirs: (chainId) => layers.diffDirs(chainId),
    // The read-write layer is the overlay's upper dir in the container's dir.
    readWriteSize: (dir) => directorySize(join(dir, 'upper')),
  };
}
