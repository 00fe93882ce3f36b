import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { hiddenMountCommand } from './crun-wrapper.js';
import { installRuntime, type RuntimeSelection } from './runtime-selection.js';

const run = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
const mountPoints = async () => (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((line) => line.split(' ')[4] ?? '');

// The wrapper's namespace trick against mounts of the test's own, laid out as on a host whose cgroup
// root is shared (systemd's hosts): a cgroup2-like mount below a shared parent, and a shared bind source.
describe.runIf(canRun)('the crun wrapper in a real mount namespace', () => {
  let dir = '';

  afterEach(async () => {
    for (const point of (await mountPoints()).filter((p) => dir && p.startsWith(dir)).reverse()) await run('umount', ['-l', point]);
    await rm(dir, { recursive: true, force: true });
  });

  it('hides the mount from the command only, and keeps shared mounts shared with the host', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-crun-wrapper-'));
    const cgroupRoot = join(dir, 'cgroup');
    const hidden = join(cgroupRoot, 'unified');
    const shared = join(dir, 'shared');
    await mkdir(cgroupRoot);
    await mkdir(shared);
    for (const [point, parent] of [[cgroupRoot, undefined], [hidden, cgroupRoot], [shared, undefined]] as const) {
      if (parent === undefined) {
        await run('mount', ['-t', 'tmpfs', 'tmpfs', point]);
        await run('mount', ['--make-shared', point]);
      } else {
        await mkdir(point);
        await run('mount', ['-t', 'tmpfs', 'tmpfs', point]);
      }
    }
    await mkdir(join(shared, 'inner'));
    const command = hiddenMountCommand({ crun: '/bin/sh', unshare: '/usr/bin/unshare', mount: 'mount', umount: 'umount', shell: '/bin/sh' }, hidden);
    // The stand-in for crun reports what it sees and mounts below the shared mount, as a container's rshared bind would.
    const { stdout } = await run(command[0]!, [...command.slice(1), '-c', `grep -c ' ${hidden} ' /proc/self/mountinfo; mount -t tmpfs tmpfs ${shared}/inner`]);
    expect(stdout.trim()).toBe('0');
    const onHost = await mountPoints();
    expect(onHost).toContain(hidden);
    expect(onHost).toContain(join(shared, 'inner'));
  });

  it('is run once written, and refused with the reason on an exec root mounted noexec', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-crun-wrapper-'));
    // The wrapper's command, host-independent here: a shell that execs the runtime (sh stands in for crun).
    const selection: RuntimeSelection = { name: 'crun', binary: '/bin/sh', hiddenMountCommand: ['/bin/sh', '-c', 'exec "$0" "$@"', '/bin/sh'] };
    const runnable = join(dir, 'runnable');
    await mkdir(runnable);
    // `sh --version` fails: a wrapper that runs but whose runtime fails is refused too, with the runtime's words.
    await expect(installRuntime(selection, runnable)).rejects.toThrow(`crun cannot run containers on this host: its wrapper ${join(runnable, 'crun-hidden-cgroup2')} cannot be run:`);
    await expect(installRuntime({ ...selection, hiddenMountCommand: ['/bin/true'] }, runnable)).resolves.toBe(join(runnable, 'crun-hidden-cgroup2'));

    const noexec = join(dir, 'noexec');
    await mkdir(noexec);
    await run('mount', ['-t', 'tmpfs', '-o', 'noexec', 'tmpfs', noexec]);
    await expect(installRuntime({ ...selection, hiddenMountCommand: ['/bin/true'] }, noexec)).rejects.toThrow(
      `crun cannot run containers on this host: its wrapper ${join(noexec, 'crun-hidden-cgroup2')} cannot be run: the exec root ${noexec} is mounted noexec`,
    );
    expect(existsSync(join(noexec, 'crun-hidden-cgroup2'))).toBe(false);
  });
});
