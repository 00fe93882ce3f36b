import type { Readable } from 'node:stream';
import type { OwnerMap } from './extract.js';
import type { LinkableFiles } from './linkable-files.js';
import { directoryTar } from './tree-tar.js';

/**
 * The changes in an overlay upper directory as a layer tar: overlay's whiteouts (0/0 character
 * devices) become `.wh.<name>` entries and opaque directories get a `.wh..wh..opq` marker, the
 * reverse of what extraction does. Read it while the container is stopped or paused; a running one
 * cannot lead the walk outside the directory, but its changes in flight may or may not be included.
 */
export function upperDirTar(upper: string, options: { owner?: OwnerMap; linkable?: LinkableFiles } = {}): Readable {
  return directoryTar(upper, { name: '', overlayUpper: true, ...options });
}
