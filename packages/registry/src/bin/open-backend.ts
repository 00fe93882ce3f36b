import type { RegistryConfig } from '../config.js';
import type { RegistryBackend } from '../registry-backend.js';
import { StorageBackend } from '../storage/backend.js';
import { FilesystemDriver } from '../storage/filesystem-driver.js';
import { S3Driver } from '../storage/s3-driver.js';
import type { StorageDriver } from '../storage/storage-driver.js';

/** The storage driver `config.storage` names. */
export function openDriver(config: RegistryConfig): StorageDriver {
  const { s3, rootDirectory } = config.storage;
  return s3 ? new S3Driver(s3) : new FilesystemDriver(rootDirectory);
}

/** The one place the binary meets the storage half: the backend for `config.storage`, on `driver` when given. */
export async function openBackend(config: RegistryConfig, driver = openDriver(config)): Promise<RegistryBackend> {
  return new StorageBackend(driver, { deleteEnabled: config.storage.deleteEnabled });
}
