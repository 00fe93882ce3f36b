import { InvalidArgumentError } from '@berth/api';
import type { RuntimeMount } from './runtime-spec.js';

/** Mount flags and the flag they set or clear; options sharing a key override each other. */
const FLAG_KEY: Record<string, string> = {
  ro: 'rdonly', rw: 'rdonly',
  suid: 'nosuid', nosuid: 'nosuid',
  dev: 'nodev', nodev: 'nodev',
  exec: 'noexec', noexec: 'noexec',
  sync: 'sync', async: 'sync',
  dirsync: 'dirsync',
  remount: 'remount',
  mand: 'mand', nomand: 'mand',
  atime: 'noatime', noatime: 'noatime',
  diratime: 'nodiratime', nodiratime: 'nodiratime',
  bind: 'bind', rbind: 'rbind',
  relatime: 'relatime', norelatime: 'relatime',
  strictatime: 'strictatime', nostrictatime: 'strictatime',
  // A mount has one propagation mode.
  private: 'propagation', rprivate: 'propagation',
  shared: 'propagation', rshared: 'propagation',
  slave: 'propagation', rslave: 'propagation',
  unbindable: 'propagation', runbindable: 'propagation',
};

const DATA_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** Docker's defaults for `--tmpfs` before the user's options. */
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/** Merges mount options so the last occurrence of each flag or key wins, keeping first-seen order of survivors. */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const option of [...options].reverse()) {
    if (option === 'defaults') continue;
    let key = FLAG_KEY[option];
    if (key === undefined) {
      const eq = option.indexOf('=');
      const name = eq < 0 ? '' : option.slice(0, eq);
      if (!DATA_KEYS.has(name)) throw new InvalidArgumentError(`invalid tmpfs option "${option}"`);
      key = `data:${name}`;
    }
    if (!seen.has(key)) {
      seen.add(key);
      merged.unshift(option);
    }
  }
  return merged;
}

/** The options of a `--tmpfs path:options` mount: Docker's defaults overridden by the user's comma list. */
export function parseTmpfsOptions(data: string): string[] {
  const user = data.split(',').map((o) => o.trim()).filter((o) => o !== '');
  return mergeTmpfsOptions([...TMPFS_DEFAULTS, ...user]);
}

export function tmpfsMount(destination: string, data: string): RuntimeMount {
  if (!destination.startsWith('/')) {
    throw new InvalidArgumentError(`invalid tmpfs destination "${destination}": mount path must be absolute`);
  }
  return { destination, type: 'tmpfs', source: 'tmpfs', options: parseTmpfsOptions(data) };
}
