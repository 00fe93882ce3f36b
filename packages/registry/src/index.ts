export type { RegistryBackend, UploadState, StoredManifest, Descriptor } from './registry-backend.js';
export { RegistryError, REGISTRY_ERROR_STATUS, type RegistryErrorCode } from './registry-error.js';
export { registryRoutes, createRegistryServer } from './http/registry-routes.js';
export type { RegistryRoutesOptions } from './http/handler.js';
export { loadRegistryConfig, parseRegistryConfig, RegistryConfigError, type RegistryConfig, type ParsedRegistryConfig } from './config.js';
