export { LayerStore } from './layer-store.js';
export type { LayerInfo } from './layer-metadata.js';
export { extractTar, DEFAULT_MAX_DECOMPRESSED_BYTES } from './extract.js';
export { UnsafeArchiveEntryError } from './errors.js';
export { chainIdOf } from './chain-id.js';
export { upperDirTar } from './upper-diff.js';
export { addFileToPack, type PackHeader } from './pack-file.js';
export { isUncompressedFile } from './archive-stream.js';
export { fsyncDirectory, isTempFileName, writeFileAtomic } from './atomic-file.js';
