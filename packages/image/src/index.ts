export {
  ImageStore,
  type DeleteRecord,
  type ImageEvent,
  type ImageStoreOptions,
  type ImageUser,
  type ListOptions,
  type LoadOptions,
  type NewImageSpec,
  type PruneOptions,
  type PruneReport,
  type RemoveOptions,
  type ResolvedImage,
} from './image-store.js';
export { applyChanges } from './internal/changes.js';
export type { ImageFilters } from './internal/list-filters.js';
