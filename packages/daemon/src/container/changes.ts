import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';

/** Docker's change kinds: 0 modified, 1 added, 2 deleted. */
export enum ChangeKind {
  Modified = 0,
  Added = 1,
  Deleted = 2,
}

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

const run = promisify(execFile);
const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Directories overlay marked opaque (their lower contents are hidden), as absolute paths. */
async function opaqueDirs(upper: string): Promise<Set<string>> {
  const { stdout } = await run('getfattr', ['-R', '-h', '--absolute-names', '-m', '^trusted\\.overlay\\.opaque$', '-d', '--', upper], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch(() => ({ stdout: '' }));
  const dirs = new Set<string>();
  let current = '';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) current = line.slice('# file: '.length);
    else if (line.startsWith(`${OPAQUE_XATTR}=`) && /="?y"?$/.test(line)) dirs.add(current);
  }
  return dirs;
}

const isWhiteout = (stats: Stats): boolean => stats.isCharacterDevice() && stats.rdev === 0;

interface Scan {
  upper: string;
  lowers: string[];
  opaque: Set<string>;
  /** Container paths the runtime creates as mount points: not the user's changes. */
  ignore: Set<string>;
  changes: Change[];
}

async function inLower(scan: Scan, path: string): Promise<Stats | null> {
  for (const lower of scan.lowers) {
    const stats = await lstat(join(lower, path)).catch(() => null);
    if (stats) return isWhiteout(stats) ? null : stats;
  }
  return null;
}

/** Scans one upper directory; returns whether it recorded anything below it. */
async function scanDir(scan: Scan, path: string): Promise<boolean> {
  const before = scan.changes.length;
  for (const name of await readdir(join(scan.upper, path))) {
    const child = posix.join(path, name);
    if (scan.ignore.has(child)) continue;
    const stats = await lstat(join(scan.upper, child));
    if (isWhiteout(stats)) {
      scan.changes.push({ Path: child, Kind: ChangeKind.Deleted });
      continue;
    }
    const lower = await inLower(scan, child);
    if (!stats.isDirectory()) {
      scan.changes.push({ Path: child, Kind: lower ? ChangeKind.Modified : ChangeKind.Added });
      continue;
    }
    const opaque = scan.opaque.has(join(scan.upper, child));
    const below = await scanDir(scan, child);
    if (lower && opaque) await recordHidden(scan, child);
    const metadataChanged = lower !== null && (lower.mode !== stats.mode || lower.uid !== stats.uid || lower.gid !== stats.gid);
    // A directory copied up only because a child changed is reported as modified, as Docker does.
    if (!lower) scan.changes.push({ Path: child, Kind: ChangeKind.Added });
    else if (below || opaque || metadataChanged) scan.changes.push({ Path: child, Kind: ChangeKind.Modified });
  }
  return scan.changes.length > before;
}

/** Everything the lower layers had in an opaque directory and the upper one no longer shows. */
async function recordHidden(scan: Scan, dir: string): Promise<void> {
  const names = new Set<string>();
  for (const lower of scan.lowers) for (const name of await readdir(join(lower, dir)).catch(() => [])) names.add(name);
  for (const name of names) {
    const upperStats = await lstat(join(scan.upper, dir, name)).catch(() => null);
    if (!upperStats) scan.changes.push({ Path: posix.join(dir, name), Kind: ChangeKind.Deleted });
  }
}

/**
 * A container's filesystem changes from its overlay upper directory: whiteouts (0/0 character devices)
 * are deletions, opaque directories hide what the lower layers (`lowers`, top first) had in them.
 */
export async function containerChanges(upper: string, lowers: string[], ignore: Iterable<string> = []): Promise<Change[]> {
  const scan: Scan = { upper, lowers, opaque: await opaqueDirs(upper), ignore: new Set(ignore), changes: [] };
  await scanDir(scan, '/');
  return scan.changes.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
