import type { RegistryConfig } from '../config.js';
import type { RegistryBackend } from '../registry-backend.js';
import { StorageBackend } from '../storage/backend.js';
import { FilesystemDriver } from '../storage/filesystem-driver.js';

/** The one place the binary meets the storage half: the backend for `config.storage`. */
export async function openBackend(config: RegistryConfig): Promise<RegistryBackend> {
  return new StorageBackend(new FilesystemDriver(config.storage.rootDirectory), { deleteEnabled: config.storage.deleteEnabled });
}
