import { uploadDataPath, uploadPath, uploadsPath, uploadStartedAtPath } from './paths.js';
import { walkRepositoryTree } from './repositories.js';
import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

export interface UploadPurgeOptions {
  /** Uploads started longer ago than this are removed. */
  ageMs: number;
  /** Report, remove nothing. */
  dryRun: boolean;
  now?: () => number;
  log: (message: string) => void;
}

/**
 * Removes the upload sessions of every repository that started more than `ageMs` ago (the Go
 * registry's `storage.maintenance.uploadpurging`): a client that never finished leaves its data
 * otherwise for good. Resolves to the `<repository>/<id>` of each one removed (or, dry, to remove).
 */
export async function purgeUploads(driver: StorageDriver, options: UploadPurgeOptions): Promise<string[]> {
  const cutoff = (options.now ?? Date.now)() - options.ageMs;
  const purged: string[] = [];
  await walkRepositoryTree(driver, async (name, entries) => {
    if (!entries.includes('_uploads')) return;
    for (const id of await driver.list(uploadsPath(name))) {
      const startedAt = await uploadStart(driver, name, id);
      if (startedAt === undefined || startedAt > cutoff) continue;
      purged.push(`${name}/${id}`);
      if (!options.dryRun) await driver.delete(uploadPath(name, id));
    }
  });
  if (purged.length > 0) options.log(`${options.dryRun ? 'would purge' : 'purged'} ${purged.length} upload(s) older than ${options.ageMs / 3_600_000}h: ${purged.join(', ')}`);
  return purged;
}

/** When the upload started: its `startedat` (RFC 3339, as both registries write it), else its data's last write. */
async function uploadStart(driver: StorageDriver, name: string, id: string): Promise<number | undefined> {
  try {
    const parsed = Date.parse((await driver.getContent(uploadStartedAtPath(name, id))).toString('utf8').trim());
    if (!Number.isNaN(parsed)) return parsed;
  } catch (err) {
    if (!(err instanceof PathNotFoundError)) throw err;
  }
  return (await driver.stat(uploadDataPath(name, id)))?.modified.getTime();
}

export interface UploadPurgingSchedule extends UploadPurgeOptions {
  intervalMs: number;
}

/** Purges now, then every `intervalMs`; returns the function that stops it. Failures are logged, never fatal. */
export function scheduleUploadPurging(driver: StorageDriver, schedule: UploadPurgingSchedule): () => void {
  const run = () => void purgeUploads(driver, schedule).catch((err: Error) => schedule.log(`purging uploads: ${err.message}`));
  run();
  const timer = setInterval(run, schedule.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
