import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, startTestDaemon, type TestDaemon } from './harness.js';

let daemon: TestDaemon;
let work: string;

beforeAll(async () => {
  daemon = await startTestDaemon();
  await daemon.berth(['load', '-i', await busyboxArchive()]);
  work = await mkdtemp('/tmp/berth-cp-mounts-');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  const leftovers = await daemon.cleanup();
  expect(leftovers.mounts).toEqual([]);
});

const docker = (args: string[]): Promise<string> => dockerOk(daemon, args);

describe('docker cp through mounts', () => {
  it('copies into a named volume of a stopped container, where other containers see it', async () => {
    await docker(['create', '--name', 'vol-writer', '-v', 'cp-shared:/data', 'busybox', 'true']);
    await writeFile(join(work, 'hello.txt'), 'through the volume\n');
    await docker(['cp', join(work, 'hello.txt'), 'vol-writer:/data/']);
    expect(await docker(['run', '--rm', '-v', 'cp-shared:/mnt', 'busybox', 'cat', '/mnt/hello.txt'])).toBe('through the volume\n');
  });

  it('copies into a volume of a running container, visible inside it', async () => {
    await docker(['run', '-d', '--name', 'vol-running', '-v', 'cp-live:/data', 'busybox', 'sleep', '600']);
    await writeFile(join(work, 'live.txt'), 'live\n');
    await docker(['cp', join(work, 'live.txt'), 'vol-running:/data/live.txt']);
    expect(await docker(['exec', 'vol-running', 'cat', '/data/live.txt'])).toBe('live\n');
  });

  it("copies the engine's /etc files as the container sees them", async () => {
    await docker(['run', '-d', '--name', 'etc-running', '--hostname', 'cp-host', 'busybox', 'sleep', '600']);
    await docker(['cp', 'etc-running:/etc/hostname', join(work, 'hostname')]);
    expect(await readFile(join(work, 'hostname'), 'utf8')).toBe('cp-host\n');
  });

  it('copies out of a bind mount, including a bind nested under a copied directory', async () => {
    const source = join(work, 'bind-src');
    await mkdir(source);
    await writeFile(join(source, 'from-host.txt'), 'bound\n');
    await docker(['create', '--name', 'bind-reader', '-v', `${source}:/tmp/bound`, 'busybox', 'true']);
    const out = join(work, 'bind-out');
    await docker(['cp', 'bind-reader:/tmp/bound', out]);
    expect(await readFile(join(out, 'from-host.txt'), 'utf8')).toBe('bound\n');
    const tree = join(work, 'tmp-out');
    await docker(['cp', 'bind-reader:/tmp', tree]);
    expect(await readFile(join(tree, 'bound/from-host.txt'), 'utf8')).toBe('bound\n');
  });

  it('copies into and out of a tmpfs of a running container', async () => {
    await docker(['run', '-d', '--name', 'tmpfs-running', '--tmpfs', '/scratch', 'busybox', 'sleep', '600']);
    await writeFile(join(work, 'tmp.txt'), 'in tmpfs\n');
    await docker(['cp', join(work, 'tmp.txt'), 'tmpfs-running:/scratch/']);
    expect(await docker(['exec', 'tmpfs-running', 'cat', '/scratch/tmp.txt'])).toBe('in tmpfs\n');
    await docker(['cp', 'tmpfs-running:/scratch/tmp.txt', join(work, 'tmp-back.txt')]);
    expect(await readFile(join(work, 'tmp-back.txt'), 'utf8')).toBe('in tmpfs\n');
  });

  it('refuses to copy into a read-only mount, stopped or running', async () => {
    const source = join(work, 'ro-src');
    await mkdir(source);
    await writeFile(join(work, 'denied.txt'), 'no\n');
    await docker(['create', '--name', 'ro-stopped', '-v', `${source}:/ro:ro`, 'busybox', 'true']);
    await docker(['run', '-d', '--name', 'ro-running', '-v', 'cp-ro:/ro:ro', 'busybox', 'sleep', '600']);
    for (const name of ['ro-stopped', 'ro-running']) {
      const result = await daemon.dockerCli(['cp', join(work, 'denied.txt'), `${name}:/ro/`]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('mounted volume is marked read-only');
    }
    expect(existsSync(join(source, 'denied.txt'))).toBe(false);
  });

  it('refuses to copy into a read-only root filesystem outside its mounts', async () => {
    await docker(['create', '--name', 'ro-rootfs', '--read-only', '-v', 'cp-rw:/rw', 'busybox', 'true']);
    await writeFile(join(work, 'rootfs.txt'), 'x\n');
    const refused = await daemon.dockerCli(['cp', join(work, 'rootfs.txt'), 'ro-rootfs:/tmp/']);
    expect(refused.stderr).toContain('container rootfs is marked read-only');
    await docker(['cp', join(work, 'rootfs.txt'), 'ro-rootfs:/rw/']);
  });

  it('keeps a symlink to /etc inside a volume within the container', async () => {
    const canary = `berth-cp-canary-${process.pid}`;
    await docker(['run', '--rm', '-v', 'cp-evil:/data', 'busybox', 'ln', '-s', '/etc', '/data/evil']);
    await docker(['create', '--name', 'evil', '-v', 'cp-evil:/data', 'busybox', 'true']);
    await writeFile(join(work, canary), 'canary\n');
    await docker(['cp', join(work, canary), 'evil:/data/evil/']);
    expect(existsSync(join('/etc', canary))).toBe(false);
    expect(await docker(['run', '--rm', '--volumes-from', 'evil', 'busybox', 'ls', '/data/'])).toBe('evil\n');
    const back = join(work, 'canary-back');
    await docker(['cp', `evil:/etc/${canary}`, back]);
    expect(await readFile(back, 'utf8')).toBe('canary\n');
  });
});
