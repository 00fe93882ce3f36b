import type { RegistryConfig } from '../config.js';
import type { RegistryBackend } from '../registry-backend.js';

/**
 * The one place the binary meets the storage half: the backend for `config.storage`. Wired at the
 * merge with `storage/`, whose filesystem backend this returns.
 */
export async function openBackend(_config: RegistryConfig): Promise<RegistryBackend> {
  throw new Error('storage backend not wired');
}
