export { ImageStore } from './image-store.js';
export type { NewImageSpec } from './internal/create-image.js';
export type { ListOptions, ResolvedImage } from './internal/image-queries.js';
export type { LoadOptions } from './internal/load-images.js';
export type { DeleteRecord, ImageUser, PruneOptions, PruneReport, RemoveOptions } from './internal/remove-images.js';
export type { ImageEvent, ImageStoreOptions } from './internal/store-context.js';
export { applyChanges } from './internal/changes.js';
export type { ImageFilters } from './internal/list-filters.js';
