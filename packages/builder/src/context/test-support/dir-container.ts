import { constants, openSync } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { extractTar, O_PATH, treeTar } from '@berth/layer';
import type { Owner, PathInfo, StepContainer } from '../../executor/backend.js';
import { resolveInScope } from '../scoped-path.js';
import { readTar, type ReadEntry } from './tars.js';

/** A StepContainer over a plain directory, for unit tests of the copy logic (the real one is the daemon's). */
export class DirContainer implements StepContainer {
  readonly id = 'dir-container';
  /** The entries of every tar put, in order. */
  readonly puts: ReadEntry[][] = [];

  constructor(
    readonly root: string,
    private readonly users: Record<string, Owner> = {},
  ) {}

  private async parentResolved(path: string): Promise<string> {
    const rel = posix.normalize(path).replace(/^\/+/, '');
    const parent = await resolveInScope(this.root, posix.dirname(rel));
    return posix.join(parent, posix.basename(rel));
  }

  async stat(path: string): Promise<PathInfo | undefined> {
    if (posix.normalize(path) === '/') return { isDirectory: true, linkTarget: '' };
    const last = await this.parentResolved(path);
    const own = await lstat(join(this.root, last)).catch(() => undefined);
    if (own === undefined) return undefined;
    if (!own.isSymbolicLink()) return { isDirectory: own.isDirectory(), linkTarget: '' };
    const target = await stat(join(this.root, await resolveInScope(this.root, last))).catch(() => undefined);
    return target && { isDirectory: target.isDirectory(), linkTarget: await readlink(join(this.root, last)) };
  }

  async put(path: string, tar: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
    const archive = Buffer.concat(chunks);
    this.puts.push(await readTar(archive));
    await extractTar(Readable.from([archive]), join(this.root, path));
  }

  async get(path: string): Promise<Readable> {
    const last = posix.normalize(path) === '/' ? '' : await this.parentResolved(path);
    const fd = openSync(join(this.root, last), O_PATH | constants.O_NOFOLLOW);
    return treeTar(fd, { name: last === '' ? '/' : posix.basename(last) });
  }

  async resolveOwner(user: string): Promise<Owner> {
    const known = this.users[user];
    if (known !== undefined) return known;
    const match = /^(\d+)(?::(\d+))?$/.exec(user);
    if (match === null) throw new Error(`unable to find user ${user}: no matching entries in passwd file`);
    return { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
  }

  run(): Promise<number> {
    throw new Error('not a real container');
  }

  commit(): Promise<string> {
    throw new Error('not a real container');
  }

  async remove(): Promise<void> {}
}
