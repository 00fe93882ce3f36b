import { createWriteStream, watch, type FSWatcher } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** A json-file or local log's rotation settings (container/log-config.ts). */
export interface LogRotation {
  /** Bytes a file may reach before conmon starts a new one; undefined: no limit. */
  maxSize?: number;
  /** How many files to keep, the live one included. */
  maxFile: number;
  /** Rotated files are gzipped. */
  compress: boolean;
}

/** The rotated files that exist, oldest first (`container.log.2.gz`, `container.log.1`): gzipped when compressed. */
export async function rotatedLogFiles(logPath: string, maxFile: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = maxFile - 1; i >= 1; i--) {
    for (const name of [`${logPath}.${i}`, `${logPath}.${i}.gz`]) if (await stat(name).catch(() => null)) files.push(name);
  }
  return files;
}

/** Where a replaced file is written while it is saved: not a name `rotatedLogFiles` reads. */
function savingPath(logPath: string): string {
  return `${logPath}.saving`;
}

/**
 * Keeps what conmon drops. At `--log-size-max` conmon writes a fresh log and renames it over the old one;
 * holding the old file open lets us save its content as `<log>.1` (shifting older ones) before it is gone.
 * Only while this daemon runs: a rotation while it is down loses that file's content, as conmon alone would.
 * Under a flood, a file conmon both starts and replaces while the previous one is being saved is never
 * opened here, and is lost (docs/compatibility.md).
 */
class LogRotator {
  private held: { handle: FileHandle; ino: number } | null = null;
  private readonly watcher: FSWatcher;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly logPath: string,
    private readonly maxFile: number,
    private readonly compress: boolean,
  ) {
    const name = basename(logPath);
    this.watcher = watch(dirname(logPath), (_event, filename) => {
      if (filename === null || filename.toString() === name) this.schedule();
    });
    this.watcher.on('error', () => undefined);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.watcher.close();
    await this.work;
    await this.held?.handle.close();
    this.held = null;
  }

  private schedule(): void {
    this.work = this.work.then(() => this.check()).catch(() => undefined);
  }

  private async check(): Promise<void> {
    // The new live file is held before the old one is saved: a rotation during the save then drops a file
    // we hold (saved next) instead of one nobody opened.
    // A stat first: most changes are writes to the file already held, and a flood makes many.
    const current = await stat(this.logPath).catch(() => null);
    if (!current || this.held?.ino === current.ino) return;
    const handle = await open(this.logPath, 'r').catch(() => null);
    if (!handle) return;
    const ino = await handle.stat().then(
      (opened) => opened.ino,
      async (err: unknown) => {
        await handle.close();
        throw err;
      },
    );
    if (this.held?.ino === ino) {
      await handle.close();
      return;
    }
    const previous = this.held;
    this.held = { handle, ino };
    if (!previous) return;
    try {
      await this.save(previous.handle);
    } finally {
      await previous.handle.close();
    }
  }

  /**
   * Saves a replaced file as `<log>.1`. Written under a name `rotatedLogFiles` ignores and renamed into place
   * once whole: a concurrent `docker logs` never reads a partial `.1.gz`, and a failed save (a full disk)
   * leaves no partial `.1` for the next one to shift along.
   */
  private async save(replaced: FileHandle): Promise<void> {
    const suffix = this.compress ? '.gz' : '';
    for (let i = this.maxFile - 2; i >= 1; i--) await rename(`${this.logPath}.${i}${suffix}`, `${this.logPath}.${i + 1}${suffix}`).catch(() => undefined);
    const partial = savingPath(this.logPath);
    // Streamed: a file of max-size (which may be gigabytes) never sits in memory whole.
    const content = replaced.createReadStream({ start: 0, autoClose: false });
    const saved = createWriteStream(partial, { mode: 0o640 });
    try {
      await (this.compress ? pipeline(content, createGzip(), saved) : pipeline(content, saved));
      await rename(partial, `${this.logPath}.1${suffix}`);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }
}

/** One rotator per running container whose log keeps more than one file. */
export class LogRotators {
  private readonly rotators = new Map<string, LogRotator>();

  start(id: string, logPath: string, settings: LogRotation): void {
    if (settings.maxSize === undefined || settings.maxFile < 2 || this.rotators.has(id)) return;
    this.rotators.set(id, new LogRotator(logPath, settings.maxFile, settings.compress));
  }

  async stop(id: string): Promise<void> {
    const rotator = this.rotators.get(id);
    this.rotators.delete(id);
    await rotator?.stop();
  }

  stopAll(): void {
    // At shutdown; a held log file that fails to close is closed by the exit anyway.
    for (const id of [...this.rotators.keys()]) this.stop(id).catch(() => undefined);
  }
}
