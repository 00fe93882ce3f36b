import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@berth/api';
import { UnsafeArchiveEntryError } from '../errors.js';
import { buildTar, gzip } from './tar-builder.js';

export interface HostileCase {
  name: string;
  /** `canary` is an absolute directory outside the extraction root that must stay untouched. */
  archive(canary: string): Promise<Buffer>;
  error: abstract new (...args: never[]) => InvalidArgumentError;
  /** The entry the error message must name, when the failure belongs to one. */
  entry?: string | ((canary: string) => string);
  maxBytes?: number;
}

const file = (name: string, content: string | Buffer = 'pwned') => ({ name, type: 'file' as const, content });

/** Table of hostile layer archives (containerd's archive breakout tests are the model). */
export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'dot-dot escape',
    archive: () => buildTar([file('../canary/pwned')]),
    error: UnsafeArchiveEntryError,
    entry: '../canary/pwned',
  },
  {
    name: 'absolute path',
    archive: (canary) => buildTar([file(`${canary}/pwned`)]),
    error: UnsafeArchiveEntryError,
    entry: (canary) => `${canary}/pwned`,
  },
  {
    name: 'file written through an earlier symlink',
    archive: (canary) => buildTar([{ name: 'link', type: 'symlink', linkname: canary }, file('link/pwned')]),
    error: UnsafeArchiveEntryError,
    entry: 'link/pwned',
  },
  {
    name: 'directory created through an earlier symlink',
    archive: (canary) =>
      buildTar([{ name: 'link', type: 'symlink', linkname: canary }, { name: 'link/sub/', type: 'directory' }]),
    error: UnsafeArchiveEntryError,
    entry: 'link/sub/',
  },
  {
    name: 'relative symlink climbing above the root',
    archive: () => buildTar([{ name: 'a/up', type: 'symlink', linkname: '../../canary' }]),
    error: UnsafeArchiveEntryError,
    entry: 'a/up',
  },
  {
    name: 'hardlink to a file outside (relative)',
    archive: () => buildTar([{ name: 'hl', type: 'link', linkname: '../canary/secret' }]),
    error: UnsafeArchiveEntryError,
    entry: 'hl',
  },
  {
    name: 'hardlink to a file outside (absolute)',
    archive: (canary) => buildTar([{ name: 'hl', type: 'link', linkname: `${canary}/secret` }]),
    error: UnsafeArchiveEntryError,
    entry: 'hl',
  },
  {
    name: 'hardlink to an entry not extracted',
    archive: () => buildTar([{ name: 'hl', type: 'link', linkname: 'missing' }]),
    error: UnsafeArchiveEntryError,
    entry: 'hl',
  },
  {
    name: 'hardlink through a symlink',
    archive: (canary) =>
      buildTar([
        { name: 'ln', type: 'symlink', linkname: canary },
        { name: 'hl', type: 'link', linkname: 'ln/secret' },
      ]),
    error: UnsafeArchiveEntryError,
    entry: 'hl',
  },
  {
    name: 'whiteout naming the parent',
    archive: () => buildTar([file('a/.wh...', '')]),
    error: UnsafeArchiveEntryError,
    entry: 'a/.wh...',
  },
  {
    name: 'whiteout escaping the root',
    archive: () => buildTar([file('../canary/.wh.secret', '')]),
    error: UnsafeArchiveEntryError,
    entry: '../canary/.wh.secret',
  },
  {
    name: 'file replacing an extracted directory',
    archive: () => buildTar([{ name: 'd/', type: 'directory' }, file('d/inner', 'x'), file('d')]),
    error: UnsafeArchiveEntryError,
    entry: 'd',
  },
  {
    name: 'gzip bomb',
    archive: async () => gzip(await buildTar([file('bomb', Buffer.alloc(4 * 1024 * 1024))])),
    error: UnsafeArchiveEntryError,
    entry: 'bomb',
    maxBytes: 1024 * 1024,
  },
  {
    name: 'truncated tar',
    archive: async () => (await buildTar([file('big', randomBytes(100_000))])).subarray(0, 50_000),
    error: InvalidArgumentError,
    entry: 'big',
  },
  {
    name: 'corrupt gzip',
    archive: async () => {
      const compressed = gzip(await buildTar([file('first', randomBytes(50_000))]));
      const corrupt = Buffer.from(compressed);
      corrupt.fill(0xff, 1000, 1100);
      return corrupt;
    },
    error: InvalidArgumentError,
  },
];
