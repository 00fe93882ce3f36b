export type { Descriptor, RegistryBackend, StoredManifest, UploadState } from './registry-backend.js';
export { REGISTRY_ERROR_STATUS, RegistryError, type RegistryErrorCode } from './registry-error.js';
export { InvalidPathError, PathNotFoundError, type FileInfo, type StorageDriver } from './storage/storage-driver.js';
export { FilesystemDriver } from './storage/filesystem-driver.js';
export { StorageBackend, type StorageBackendOptions } from './storage/backend.js';
export { registryRoutes, createRegistryServer } from './http/registry-routes.js';
export type { RegistryRoutesOptions } from './http/handler.js';
export { loadRegistryConfig, parseRegistryConfig, RegistryConfigError, type RegistryConfig, type ParsedRegistryConfig } from './config.js';
