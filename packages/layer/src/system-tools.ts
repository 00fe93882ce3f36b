import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { InternalError, InvalidArgumentError } from '@berth/api';

/**
 * The only module of the layer store that runs external programs: Node's core has no mknod, setxattr,
 * mount or zstd. Every call passes an argument vector, never a shell.
 */
const execFileAsync = promisify(execFile);

const DEBIAN_PACKAGE = {
  cp: 'coreutils',
  mknod: 'coreutils',
  setfattr: 'attr',
  mount: 'mount',
  umount: 'mount',
  zstd: 'zstd',
  unshare: 'util-linux',
} as const;

type Tool = keyof typeof DEBIAN_PACKAGE;

function toolNotFound(tool: Tool, cause: unknown): InternalError {
  return new InternalError(`${tool} not found: install the Debian package "${DEBIAN_PACKAGE[tool]}"`, { cause });
}

async function run(tool: Tool, args: string[], cwd?: string): Promise<void> {
  try {
    await execFileAsync(tool, args, { cwd, encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    // A string code is a spawn failure; a tool that ran and failed has a numeric exit code.
    if (e.code === 'ENOENT') throw toolNotFound(tool, err);
    const detail = (e.stderr ?? '').trim() || e.message;
    throw new InternalError(`${tool} failed: ${detail}`, { cause: err });
  }
}

export type NodeType = { kind: 'char' | 'block'; major: number; minor: number } | { kind: 'fifo' };

/** Creates a device node or FIFO with `mode` if given (else the caller sets it); the caller sets ownership. */
export async function makeNode(path: string, type: NodeType, mode?: number): Promise<void> {
  const modeArgs = mode === undefined ? [] : ['-m', mode.toString(8)];
  const args =
    type.kind === 'fifo'
      ? [...modeArgs, '--', path, 'p']
      : [...modeArgs, '--', path, type.kind === 'char' ? 'c' : 'b', String(type.major), String(type.minor)];
  await run('mknod', args);
}

/** Sets an extended attribute on `path` itself (never on a symlink's target). */
export async function setXattr(path: string, name: string, value: Buffer): Promise<void> {
  // `0s` + base64 makes setfattr take the value byte for byte.
  await run('setfattr', ['-h', '-n', name, '-v', `0s${value.toString('base64')}`, '--', path]);
}

export interface OverlayMount {
  /** Top layer first; may be relative to `cwd` (keeps the option string under a page). */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
  target: string;
  cwd: string;
}

export function overlayOptions(mount: Omit<OverlayMount, 'target' | 'cwd'>): string {
  return `lowerdir=${mount.lowerdirs.join(':')},upperdir=${mount.upperdir},workdir=${mount.workdir}`;
}

export async function mountOverlay(mount: OverlayMount): Promise<void> {
  await run('mount', ['-t', 'overlay', '-o', overlayOptions(mount), '--', 'overlay', mount.target], mount.cwd);
}

/** Unmounts `target`; `lazy` detaches it even while busy (umount -l). */
export async function unmount(target: string, options: { lazy?: boolean } = {}): Promise<void> {
  await run('umount', options.lazy ? ['-l', '--', target] : ['--', target]);
}

/** Copies the tree `source` to the new path `target` with owners, modes, times, xattrs, hard links and device nodes (cp -a). */
export async function copyTree(source: string, target: string): Promise<void> {
  await run('cp', ['-a', '--reflink=auto', '--', source, target]);
}

/** The environment variable naming, in a user-namespace holder, the daemon it belongs to (see catInNewUserNamespace). */
const USERNS_HOLDER_ENV = 'BERTH_USERNS_HOLDER';

/**
 * `cat` in a user namespace of its own (`unshare --user`), without maps yet: it echoes what it reads, so a
 * first byte echoed back shows the namespace exists. `onError` is told why it could not start. `owner`
 * goes into its environment (USERNS_HOLDER_ENV), so a holder left running can be traced to its daemon.
 */
export function catInNewUserNamespace(owner: string, onError: (err: Error) => void): ChildProcessWithoutNullStreams {
  const env = { ...process.env, [USERNS_HOLDER_ENV]: owner };
  const child = spawn('unshare', ['--user', '--', 'cat'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  child.once('error', (err: NodeJS.ErrnoException) => onError(err.code === 'ENOENT' ? toolNotFound('unshare', err) : err));
  // A child that never ran breaks its input pipe: that failure is reported through onError or its exit.
  child.stdin.on('error', () => undefined);
  return child;
}

/**
 * A zstd decompressor as a stream. Node's own zstd (zlib) is still experimental, so this runs the system
 * `zstd`: native speed, streaming, no extra npm package.
 */
export function createZstdDecompress(): Duplex {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  // The output ends only once the tool has exited cleanly, so a corrupt stream is never taken for a short one.
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  const duplex = Duplex.from({ writable: child.stdin, readable: output });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  child.once('error', (err: NodeJS.ErrnoException) => {
    duplex.destroy(err.code === 'ENOENT' ? toolNotFound('zstd', err) : err);
  });
  child.once('close', (code) => {
    if (code === 0) output.end();
    else duplex.destroy(new InvalidArgumentError(`invalid zstd stream: ${stderr.trim() || `zstd exited with ${String(code)}`}`));
  });
  // When the consumer stops early (a refused entry, the size cap), the tool must not linger.
  duplex.once('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return duplex;
}
