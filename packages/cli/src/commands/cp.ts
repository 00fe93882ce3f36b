import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { extractArchive, localDestination, localSource, localSourceArchive, resolveLocalPath } from '../copy-archive.js';
import { goClean, prepareArchiveCopy, rebaseName, splitCopyArg, splitPathDirEntry, type CopyInfo } from '../copy-paths.js';
import { humanSize } from '../format/human-size.js';

interface CopyFlags {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

// Go os.FileMode type bits, as the daemon's path stat carries them.
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_DEVICE = 2 ** 26;
const GO_MODE_IRREGULAR = 2 ** 19;

/** `cp` and `container cp`: files between a container and the local filesystem, as tar archives through the daemon. */
export function defineCopy(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .summary('Copy files/folders between a container and the local filesystem')
    .description(
      "Copy files/folders between a container and the local filesystem\n\nUse '-' as the source to read a tar archive from stdin\nand extract it to a directory destination in a container.\nUse '-' as the destination to stream a tar archive of a\ncontainer source to stdout.",
    )
    // docker's second usage line says `cp` under `container cp` too.
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .argument('<source>')
    .argument('<destination>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached')
    .action(async (source: string, destination: string, flags: CopyFlags) => {
      if (source === '') throw new InvalidArgumentError('source can not be empty');
      if (destination === '') throw new InvalidArgumentError('destination can not be empty');
      const quiet = flags.quiet ?? !(ctx.io.stdout as { isTTY?: boolean }).isTTY;
      const from = splitCopyArg(source);
      const to = splitCopyArg(destination);
      if (from.container && to.container) throw new InvalidArgumentError('copying between containers is not supported');
      if (from.container) await copyFromContainer(ctx, from.container, from.path, to.path, { ...flags, quiet });
      else if (to.container) await copyToContainer(ctx, to.container, from.path, to.path, { ...flags, quiet });
      else throw new InvalidArgumentError('must specify at least one container source');
    });
}

async function copyFromContainer(ctx: CommandContext, container: string, srcPath: string, dstPath: string, flags: CopyFlags & { quiet: boolean }): Promise<void> {
  const client = ctx.client();
  const dst = dstPath === '-' ? dstPath : resolveLocalPath(dstPath);
  if (dst !== '-') await checkOutputPath(dst);
  let path = srcPath;
  let rebase: string | undefined;
  if (flags.followLink) {
    const stat = await client.statContainerPath(container, srcPath).catch(() => undefined);
    if (stat && stat.mode & GO_MODE_SYMLINK) {
      const target = stat.linkTarget.startsWith('/') ? stat.linkTarget : `${splitPathDirEntry(srcPath)[0]}/${stat.linkTarget}`;
      ({ path, rebaseName: rebase } = rebaseName(srcPath, target));
    }
  }
  const { stat, tar } = await client.getContainerArchive(container, path);
  if (dst === '-') {
    await pipeline(tar, ctx.io.stdout);
    return;
  }
  const src: CopyInfo = { path, exists: true, isDir: (stat.mode & GO_MODE_DIR) !== 0, ...(rebase && { rebaseName: rebase }) };
  const progress = flags.quiet ? undefined : new CopyProgress(ctx, 'Copying from container - ');
  const first = rebase ? { from: splitPathDirEntry(path)[1], to: rebase } : undefined;
  try {
    await extractArchive(progress ? progress.count(tar) : tar, prepareArchiveCopy(src, await localDestination(dst)), first);
    progress?.finish(dst);
  } finally {
    progress?.stop();
  }
}

/** docker's ValidateOutputPath, before the daemon is asked anything: the directory exists, the path is not a device. */
async function checkOutputPath(path: string): Promise<void> {
  const dir = dirname(goClean(path));
  if (!(await stat(dir).catch(() => undefined))) throw new InvalidArgumentError(`invalid output path: directory "${dir}" does not exist`);
  const existing = await stat(path).catch(() => undefined);
  if (existing && !existing.isDirectory() && !existing.isFile()) {
    const what = existing.isBlockDevice() || existing.isCharacterDevice() ? 'got a device' : 'got an irregular file';
    throw new InvalidArgumentError(`invalid output path: "${path}" must be a directory or a regular file: ${what}`);
  }
}

async function copyToContainer(ctx: CommandContext, container: string, srcPath: string, dstPath: string, flags: CopyFlags & { quiet: boolean }): Promise<void> {
  const client = ctx.client();
  let dst: CopyInfo = { path: dstPath, exists: false, isDir: false };
  let stat = await client.statContainerPath(container, dstPath).catch(() => undefined);
  if (stat && stat.mode & GO_MODE_SYMLINK) {
    dst.path = stat.linkTarget.startsWith('/') ? stat.linkTarget : `${splitPathDirEntry(dstPath)[0]}/${stat.linkTarget}`;
    stat = await client.statContainerPath(container, dst.path).catch(() => undefined);
  }
  if (stat) {
    if (stat.mode & GO_MODE_DEVICE) throw new InvalidArgumentError(`destination "${container}:${dstPath}" must be a directory or a regular file: got a device`);
    if (stat.mode & GO_MODE_IRREGULAR) throw new InvalidArgumentError(`destination "${container}:${dstPath}" must be a directory or a regular file: got an irregular file`);
    dst = { ...dst, exists: true, isDir: (stat.mode & GO_MODE_DIR) !== 0 };
  }
  const options = { noOverwriteDirNonDir: true, copyUIDGID: Boolean(flags.archive) };
  if (srcPath === '-') {
    if (!dst.isDir) throw new InvalidArgumentError(`destination "${container}:${dstPath}" must be a directory`);
    await client.putContainerArchive(container, dst.path, ctx.io.stdin, options);
    return;
  }
  const src = await localSource(resolveLocalPath(srcPath), Boolean(flags.followLink));
  const copy = prepareArchiveCopy(src, dst);
  const archive = Readable.from(await localSourceArchive(src, { keepOwners: Boolean(flags.archive), rebase: copy.rebase }));
  const progress = flags.quiet ? undefined : new CopyProgress(ctx, 'Copying to container - ');
  try {
    await client.putContainerArchive(container, copy.dir, progress ? progress.count(archive) : archive, options);
    progress?.finish(`${container}:${dst.path}`);
  } finally {
    progress?.stop();
  }
}

/**
 * docker cp's progress on a terminal (stderr): "Preparing to copy...", then the bytes so far after a
 * header, redrawn in place; then, terminal or not, "Successfully copied <size> to <destination>".
 * `stop` must follow, copied or not: it ends the redrawing and shows the cursor again.
 */
class CopyProgress {
  private readonly counter: Transform;
  private total = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: CommandContext,
    private readonly header: string,
  ) {
    this.counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.total += chunk.length;
        callback(null, chunk);
      },
    });
    if (!this.terminal) return;
    // Save the cursor, hide it, then keep rewriting the size after the header.
    ctx.err(`\x1b7Preparing to copy...\x1b[?25l\x1b8\x1b[2K${header}${humanSize(0)}`);
    let last = 0;
    this.timer = setInterval(() => {
      if (this.total === last) return;
      last = this.total;
      ctx.err(`\x1b[${header.length + 1}G\x1b[0K${humanSize(this.total)}`);
    }, 75);
  }

  private get terminal(): boolean {
    return Boolean((this.ctx.io.stderr as { isTTY?: boolean }).isTTY);
  }

  /** The source, counted as it is read; its failure reaches the reader. */
  count(source: Readable): Readable {
    pipeline(source, this.counter).catch(() => undefined);
    return this.counter;
  }

  finish(destination: string): void {
    this.stop();
    this.ctx.err(`Successfully copied ${humanSize(this.total)} to ${destination}\n`);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.ctx.err('\x1b[?25h\x1b8\x1b[2K');
  }
}
