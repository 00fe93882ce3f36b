import { existsSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- cgroup control files are kernel interfaces, not files on disk
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostCgroupVersion, type CgroupVersion } from './cgroup-version.js';

export type CgroupController = 'memory' | 'cpu' | 'cpuacct' | 'pids' | 'blkio' | 'freezer';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroup path the runtime spec gives each container (runc's cgroupfs driver, relative to every hierarchy). */
export function containerCgroupPath(id: string): string {
  return `/berth/${id}`;
}

/**
 * One container's cgroup, read and written through its files: under cgroup v1 one directory per
 * controller hierarchy, under v2 a single directory.
 */
export class Cgroup {
  constructor(
    readonly path: string,
    readonly version: CgroupVersion = hostCgroupVersion(),
    readonly root = CGROUP_ROOT,
  ) {}

  static ofContainer(id: string): Cgroup {
    return new Cgroup(containerCgroupPath(id));
  }

  dir(controller: CgroupController): string {
    return this.version === 2 ? join(this.root, this.path) : join(this.root, controller, this.path);
  }

  /** The file's trimmed content, or undefined when the file (or the cgroup) does not exist. */
  async read(controller: CgroupController, file: string): Promise<string | undefined> {
    try {
      return (await readFile(join(this.dir(controller), file), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  async readNumber(controller: CgroupController, file: string): Promise<number | undefined> {
    const text = await this.read(controller, file);
    if (text === undefined || text === '' || text === 'max') return undefined;
    const value = Number(text.split(/\s+/)[0]);
    return Number.isFinite(value) ? value : undefined;
  }

  /** "key value" lines (memory.stat, cpu.stat) as a map. */
  async readKeyValues(controller: CgroupController, file: string): Promise<Record<string, number>> {
    const text = (await this.read(controller, file)) ?? '';
    const values: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && value !== undefined && Number.isFinite(Number(value))) values[key] = Number(value);
    }
    return values;
  }

  async write(controller: CgroupController, file: string, value: string | number): Promise<void> {
    await writeFile(join(this.dir(controller), file), String(value));
  }

  exists(controller: CgroupController, file: string): boolean {
    return existsSync(join(this.dir(controller), file));
  }

  /** Processes in the cgroup (the pids hierarchy under v1 holds every task of the container). */
  async pids(): Promise<number[]> {
    const text = (await this.read('pids', 'cgroup.procs')) ?? (await this.read('memory', 'cgroup.procs')) ?? '';
    return text
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }
}
