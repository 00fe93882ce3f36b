import { RegistryClient } from '@berth/distribution';
import type { RegistryConfig } from '../config.js';
import type { ProxyConfig } from '../config-proxy.js';
import { CacheExpiry } from '../proxy/cache-expiry.js';
import { evict, ProxyBackend } from '../proxy/proxy-backend.js';
import type { RegistryBackend } from '../registry-backend.js';
import { StorageBackend } from '../storage/backend.js';
import { FilesystemDriver } from '../storage/filesystem-driver.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import { scheduleUploadPurging } from '../storage/upload-purge.js';

export interface OpenedBackend {
  backend: RegistryBackend;
  /** Stops the backend's timers (upload purging, the proxy cache's expiry). */
  close(): Promise<void>;
}

/** The one place the binary meets the storage half: the backend for `config.storage` (and `config.proxy`). */
export async function openBackend(config: RegistryConfig, log: (message: string) => void = () => undefined): Promise<OpenedBackend> {
  const { deleteEnabled, maintenance } = config.storage;
  const driver = await openDriver(config.storage);
  const opened = config.proxy
    ? await openProxy(driver, config.proxy, log)
    : { backend: new StorageBackend(driver, { deleteEnabled, readOnly: maintenance.readOnly }), close: async () => undefined };
  if (!maintenance.uploadPurging) return opened;
  const stopPurging = scheduleUploadPurging(driver, { ...maintenance.uploadPurging, log });
  return {
    backend: opened.backend,
    close: async () => {
      stopPurging();
      await opened.close();
    },
  };
}

/** The storage driver `storage` names: the bucket of `storage.s3`, else the directory. */
export async function openDriver(storage: RegistryConfig['storage']): Promise<StorageDriver> {
  if (!storage.s3) return new FilesystemDriver(storage.rootDirectory);
  // Loaded only for S3 storage: the AWS SDK adds megabytes of heap, which every major collection walks.
  const { S3Driver } = await import('../storage/s3-driver.js');
  return new S3Driver(storage.s3);
}

async function openProxy(driver: StorageDriver, proxy: ProxyConfig, log: (message: string) => void): Promise<OpenedBackend> {
  // The cache deletes what expires and stores manifests before their blobs are fetched.
  const local = new StorageBackend(driver, { deleteEnabled: true, requireReferences: false });
  const upstream = new RegistryClient({
    url: proxy.remoteUrl,
    userAgent: 'berth-registry',
    ...(proxy.username !== undefined && { credentials: { username: proxy.username, password: proxy.password ?? '' } }),
  });
  const expiry = proxy.ttlMs > 0 ? new CacheExpiry(driver, proxy.ttlMs, (entry) => evict(local, entry), log) : undefined;
  await expiry?.start();
  const backend = new ProxyBackend(local, upstream, { log, ...(expiry && { expiry }) });
  return { backend, close: async () => expiry?.stop() };
}
