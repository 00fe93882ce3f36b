import type { RegistryConfig } from '../config.js';
import type { RegistryBackend } from '../registry-backend.js';
import { StorageBackend } from '../storage/backend.js';
import { FilesystemDriver } from '../storage/filesystem-driver.js';
import { S3Driver } from '../storage/s3-driver.js';

/** The one place the binary meets the storage half: the backend for `config.storage`. */
export async function openBackend(config: RegistryConfig): Promise<RegistryBackend> {
  const { s3, rootDirectory, deleteEnabled } = config.storage;
  return new StorageBackend(s3 ? new S3Driver(s3) : new FilesystemDriver(rootDirectory), { deleteEnabled });
}
