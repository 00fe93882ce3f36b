import { watch, type FSWatcher } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- a rotated log is container output, not metadata: nothing reads it back as state
import { open, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { InvalidArgumentError, type HostConfig } from '@berth/api';

export interface LogLimits {
  /** Bytes; conmon starts a new file beyond it (`--log-size-max`). */
  maxSize?: number;
  /** How many files to keep, the live one included (Docker's default 1: the old content is dropped). */
  maxFile: number;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `--log-opt max-size=10m --log-opt max-file=3`, as Docker's json-file driver reads them. */
export function logLimits(hostConfig: HostConfig): LogLimits {
  const config = hostConfig.LogConfig?.Config ?? {};
  let maxSize: number | undefined;
  if (config['max-size'] !== undefined && config['max-size'] !== '-1') {
    const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(config['max-size']);
    if (!match) throw new InvalidArgumentError(`invalid size: '${config['max-size']}'`);
    maxSize = Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
  }
  const maxFile = config['max-file'] === undefined ? 1 : Number(config['max-file']);
  if (!Number.isInteger(maxFile) || maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
  if (maxFile > 1 && maxSize === undefined) throw new InvalidArgumentError("max-file can only be used with max-size");
  return { maxSize, maxFile };
}

/** The rotated files that exist, oldest first (`container.log.2`, `container.log.1`). */
export async function rotatedLogFiles(logPath: string, maxFile: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = maxFile - 1; i >= 1; i--) {
    if (await stat(`${logPath}.${i}`).catch(() => null)) files.push(`${logPath}.${i}`);
  }
  return files;
}

/**
 * Keeps what conmon drops. At `--log-size-max` conmon writes a fresh log and renames it over the old one;
 * holding the old file open lets us save its content as `<log>.1` (shifting older ones) before it is gone.
 * Only while this daemon runs: a rotation while it is down loses that file's content, as conmon alone would.
 */
class LogRotator {
  private held: { handle: FileHandle; ino: number } | null = null;
  private readonly watcher: FSWatcher;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly logPath: string,
    private readonly maxFile: number,
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
    const current = await stat(this.logPath).catch(() => null);
    if (!current) return;
    if (this.held && this.held.ino === current.ino) return;
    if (this.held) {
      await this.saveHeld();
      await this.held.handle.close();
    }
    const handle = await open(this.logPath, 'r');
    this.held = { handle, ino: (await handle.stat()).ino };
  }

  private async saveHeld(): Promise<void> {
    for (let i = this.maxFile - 2; i >= 1; i--) await rename(`${this.logPath}.${i}`, `${this.logPath}.${i + 1}`).catch(() => undefined);
    const { size } = await this.held!.handle.stat();
    const content = Buffer.alloc(size);
    await this.held!.handle.read(content, 0, size, 0);
    await writeFile(`${this.logPath}.1`, content, { mode: 0o640 });
  }
}

/** One rotator per running container whose log keeps more than one file. */
export class LogRotators {
  private readonly rotators = new Map<string, LogRotator>();

  start(id: string, logPath: string, limits: LogLimits): void {
    if (limits.maxSize === undefined || limits.maxFile < 2 || this.rotators.has(id)) return;
    this.rotators.set(id, new LogRotator(logPath, limits.maxFile));
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
