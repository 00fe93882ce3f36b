import type { Stats } from 'node:fs';

/** The X-Docker-Container-Path-Stat payload (moby's container.PathStat). */
export interface PathStat {
  name: string;
  size: number;
  /** A Go os.FileMode: permission bits plus Go's own type bits. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode type bits (the docker CLI decides "is a directory" from these).
export const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_DEVICE = 2 ** 26;
const GO_MODE_NAMED_PIPE = 2 ** 25;
const GO_MODE_SOCKET = 2 ** 24;
const GO_MODE_SETUID = 2 ** 23;
const GO_MODE_SETGID = 2 ** 22;
const GO_MODE_CHAR_DEVICE = 2 ** 21;
const GO_MODE_STICKY = 2 ** 20;

export function goFileMode(stats: Stats): number {
  let mode = stats.mode & 0o777;
  if (stats.isDirectory()) mode += GO_MODE_DIR;
  else if (stats.isSymbolicLink()) mode += GO_MODE_SYMLINK;
  else if (stats.isFIFO()) mode += GO_MODE_NAMED_PIPE;
  else if (stats.isSocket()) mode += GO_MODE_SOCKET;
  else if (stats.isCharacterDevice()) mode += GO_MODE_DEVICE + GO_MODE_CHAR_DEVICE;
  else if (stats.isBlockDevice()) mode += GO_MODE_DEVICE;
  if (stats.mode & 0o4000) mode += GO_MODE_SETUID;
  if (stats.mode & 0o2000) mode += GO_MODE_SETGID;
  if (stats.mode & 0o1000) mode += GO_MODE_STICKY;
  return mode;
}

export function encodePathStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}
