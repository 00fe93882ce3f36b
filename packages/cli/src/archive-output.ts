import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from './context.js';

/**
 * Writes an archive the daemon streams (save, export) as docker does: to `-o FILE`, its directory
 * checked before anything is asked (`failed to <action>: …` in docker's atomic writer's words), or to
 * stdout, never to a terminal. The file is created only once the daemon answered, and as docker's atomic writer
 * makes it: mode 0600 (an image or a container's files may hold secrets), in place only once complete.
 */
export async function writeArchive(ctx: CommandContext, output: string | undefined, action: string, fetch: () => Promise<Readable>): Promise<void> {
  const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
  if (output === undefined && stdout.isTTY) throw new InvalidArgumentError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  if (output !== undefined) await checkOutputPath(output, action);
  const archive = await fetch();
  if (output === undefined) {
    await pipeline(archive, stdout);
    return;
  }
  const temporary = join(dirname(normalize(output)), `.berth_temp_${randomBytes(6).toString('hex')}`);
  try {
    await pipeline(archive, createWriteStream(temporary, { mode: 0o600, flags: 'wx' }));
    await rename(temporary, output);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

async function checkOutputPath(output: string, action: string): Promise<void> {
  if ((await stat(output).catch(() => undefined))?.isDirectory()) throw new InvalidArgumentError(`failed to ${action}: cannot write to a directory`);
  const directory = dirname(normalize(output));
  try {
    await stat(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new InvalidArgumentError(`failed to ${action}: invalid output path: stat ${directory}: no such file or directory`, { cause: err });
  }
  // The file is replaced by a rename: as docker's atomic writer, only a regular file (or none) may be there.
  const existing = await lstat(output).catch(() => undefined);
  const refusal = !existing || existing.isFile() ? undefined : unwritableKind(existing);
  if (refusal) throw new InvalidArgumentError(`failed to ${action}: ${refusal}`);
}

/** moby's atomicwriter refusals for what is not a regular file. */
function unwritableKind(existing: Stats): string {
  if (existing.isSymbolicLink()) return 'cannot write to a symbolic link directly';
  if (existing.isFIFO()) return 'cannot write to a named pipe (FIFO)';
  if (existing.isSocket()) return 'cannot write to a socket';
  if (existing.isCharacterDevice()) return 'cannot write to a character device file';
  if (existing.isBlockDevice()) return 'cannot write to a block device file';
  return 'cannot write to a directory';
}
