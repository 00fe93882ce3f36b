export { VolumeStore, type VolumeEvent, type VolumeStoreOptions } from './volume-store.js';
export type { CreateVolumeOptions, PruneResult, Volume, VolumeFilters } from './volume.js';
export { ANONYMOUS_LABEL, generateAnonymousName, validateVolumeName } from './names.js';
export { cleanPath, DEFAULT_PROPAGATION, type MountSpec } from './mount-spec.js';
export { parseBind } from './bind-spec.js';
export { specFromApiMount } from './api-mount.js';
export { copyImageContent } from './copy-up.js';
