export {
  ImageStore,
  type DeleteRecord,
  type ImageStoreOptions,
  type LoadOptions,
  type RemoveOptions,
  type ResolvedImage,
} from './image-store.js';
