import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hiddenMountCommand, mountToHideFromCrun, writeCrunWrapper } from './crun-wrapper.js';

const TOOLS = { crun: '/usr/bin/crun', unshare: '/usr/bin/unshare', mount: '/usr/bin/mount', umount: '/usr/bin/umount', shell: '/bin/sh' };

describe('the crun wrapper', () => {
  it('hides only a cgroup2 mount that holds controllers on a hybrid host', () => {
    expect(mountToHideFromCrun({ mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: ['hugetlb'] })).toBe('/sys/fs/cgroup/unified');
    expect(mountToHideFromCrun({ mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: [] })).toBeUndefined();
    expect(mountToHideFromCrun({ mode: 'unified' })).toBeUndefined();
    expect(mountToHideFromCrun({ mode: 'legacy' })).toBeUndefined();
  });

  it("runs crun in a mount namespace of its own, the mount's parent made a slave before the mount is detached", () => {
    const command = hiddenMountCommand(TOOLS, '/sys/fs/cgroup/unified');
    expect(command.slice(0, 7)).toEqual(['/usr/bin/unshare', '--mount', '--propagation', 'unchanged', '--', '/bin/sh', '-c']);
    expect(command[7]).toBe(`'/usr/bin/mount' --make-rslave '/sys/fs/cgroup' && '/usr/bin/umount' -l '/sys/fs/cgroup/unified' && exec "$0" "$@"`);
    expect(command[8]).toBe('/usr/bin/crun');
  });

  it('writes an executable that passes every argument through, quoted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crun-wrapper-'));
    try {
      // A stand-in command that prints its arguments, one a line.
      const echo = join(dir, "it's echo");
      await writeFile(echo, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
      await chmod(echo, 0o755);
      // A crash mid-write left its temp file; another file's stays.
      await writeFile(join(dir, '.crun-hidden-cgroup2.0a1b2c.tmp'), '#!/bin/sh\n');
      await writeFile(join(dir, '.berthd.pid.0a1b2c.tmp'), '1');
      const path = await writeCrunWrapper(dir, [echo, 'fixed arg']);
      expect((await readdir(dir)).sort()).toEqual(['.berthd.pid.0a1b2c.tmp', 'crun-hidden-cgroup2', "it's echo"]);
      expect((await stat(path)).mode & 0o777).toBe(0o700);
      const { stdout } = await promisify(execFile)(path, ['--root=/run/x', 'exec', 'a b', '$HOME']);
      expect(stdout).toBe('fixed arg\n--root=/run/x\nexec\na b\n$HOME\n');
      expect(await readFile(path, 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
