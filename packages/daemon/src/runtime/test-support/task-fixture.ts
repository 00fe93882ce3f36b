import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskSpec } from '../runtime-driver.js';

const BUSYBOX_APPLETS = ['sh', 'echo', 'cat', 'sleep', 'true', 'printf', 'ls', 'stty'];
const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** A minimal OCI runtime spec for a busybox rootfs (the real generator lives elsewhere). */
function minimalSpec(args: string[], terminal: boolean): object {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/bin'],
      cwd: '/',
      capabilities: { bounding: CAPABILITIES, effective: CAPABILITIES, permitted: CAPABILITIES },
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'runtime-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      namespaces: ['pid', 'mount', 'uts', 'ipc', 'network'].map((type) => ({ type })),
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
    },
  };
}

/** One container's directories under a temp root, with a busybox rootfs and its own runtime state root. */
export class TaskFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'berth-runtime-'));
  readonly stateRoot = join(this.root, 'state');
  readonly exitDir = join(this.root, 'exits');
  private readonly ids: string[] = [];

  constructor() {
    mkdirSync(this.exitDir);
  }

  /** Prepares a bundle running `args`; returns the TaskSpec conmon will use. */
  task(args: string[], options: Partial<Pick<TaskSpec, 'terminal' | 'openStdin' | 'stdinOnce'>> = {}): TaskSpec {
    const id = randomBytes(32).toString('hex');
    this.ids.push(id);
    const dir = join(this.root, id.slice(0, 12));
    const bundleDir = join(dir, 'bundle');
    const persistDir = join(dir, 'persist');
    const bin = join(bundleDir, 'rootfs', 'bin');
    mkdirSync(bin, { recursive: true });
    mkdirSync(persistDir);
    for (const sub of ['proc', 'dev', 'sys', 'tmp']) mkdirSync(join(bundleDir, 'rootfs', sub));
    copyFileSync('/bin/busybox', join(bin, 'busybox'));
    execFileSync('chmod', ['755', join(bin, 'busybox')]);
    for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(bin, applet));
    const terminal = options.terminal ?? false;
    writeFileSync(join(bundleDir, 'config.json'), JSON.stringify(minimalSpec(args, terminal)));
    return {
      id,
      bundleDir,
      logPath: join(dir, 'container.log'),
      exitDir: this.exitDir,
      persistDir,
      terminal,
      openStdin: options.openStdin ?? false,
      stdinOnce: options.stdinOnce,
    };
  }

  /** Removes every container the runtime still knows, kills leftover conmons, deletes the temp root. */
  cleanup(runtimePath = 'runc'): void {
    for (const id of this.ids) {
      try {
        execFileSync(runtimePath, ['--root', this.stateRoot, 'delete', '--force', id], { stdio: 'ignore' });
      } catch {
        // Never created, or already gone.
      }
      const conmonPid = readPid(join(this.root, id.slice(0, 12), 'persist', 'conmon.pid'));
      if (conmonPid !== null && isConmonOf(conmonPid, id)) {
        try {
          process.kill(conmonPid, 'SIGKILL');
        } catch {
          // Already exited.
        }
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isConmonOf(pid: number, id: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(id);
  } catch {
    return false;
  }
}
