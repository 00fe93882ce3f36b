import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';

/**
 * The only place that runs system tools: Node's core has no mknod, setxattr or mount.
 * Every call goes through execFile with an argument vector, never a shell.
 */
const execFileAsync = promisify(execFile);

const DEBIAN_PACKAGE: Record<string, string> = {
  mknod: 'coreutils',
  setfattr: 'attr',
  mount: 'mount',
  umount: 'mount',
};

async function run(tool: string, args: string[], cwd?: string): Promise<void> {
  try {
    await execFileAsync(tool, args, { cwd, encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    // A string code is a spawn failure; a tool that ran and failed has a numeric exit code.
    if (e.code === 'ENOENT') {
      throw new InternalError(`${tool} not found: install the Debian package "${DEBIAN_PACKAGE[tool]}"`, { cause: err });
    }
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
