import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { busyboxArchive, findLeftovers, startTestDaemon, useTestDaemon } from './harness.js';

const execFileAsync = promisify(execFile);

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(5);
}

/** Entries in a directory; -1 once it is gone. */
async function entries(dir: string): Promise<number> {
  return (await readdir(dir).catch(() => [])).length || (existsSync(dir) ? 0 : -1);
}

describe('kill -9 of berthd during docker rm', () => {
  const d = useTestDaemon({ checkAllLeftovers: true });
  const FILES = 20_000;

  /** A stopped container with FILES files in its upper dir and an anonymous volume; its ID and volume. */
  async function bigContainer(name: string): Promise<{ id: string; volume: string }> {
    const script = `mkdir -p /data && cd /data && seq 1 ${FILES} | xargs touch && echo kept > /vol/kept`;
    const run = await d.dockerCli(['run', '--name', name, '-v', '/vol', 'busybox', 'sh', '-c', script]);
    expect(run.code, run.stderr).toBe(0);
    const inspect = await d.docker.getContainer(name).inspect();
    return { id: inspect.Id, volume: inspect.Mounts[0]!.Name! };
  }

  /** `docker rm -v` as a raw request nobody waits for: the daemon dies under it. */
  function sendRemove(id: string): void {
    const req = request({ socketPath: d.socket, method: 'DELETE', path: `/v1.47/containers/${id}?v=1` }, (res) => res.resume());
    req.on('error', () => undefined);
    req.end();
  }

  const moments: Array<{ name: string; wait: (dir: string) => Promise<unknown> }> = [
    ...[0, 10, 30, 60, 120].map((ms) => ({ name: `${ms} ms after the request`, wait: () => sleep(ms) })),
    { name: 'once the upper dir starts to go', wait: (dir: string) => until(async () => (await entries(join(dir, 'upper', 'data'))) < FILES) },
  ];

  it.each(moments)('killed $name, the container is afterwards whole and usable, or gone with its volume', async ({ wait }) => {
    const { id, volume } = await bigContainer('big');
    const dir = join(d.dataRoot, 'containers', id);
    expect(await entries(join(dir, 'upper', 'data'))).toBe(FILES);

    sendRemove(id);
    await wait(dir);
    await d.kill();
    await d.restart();

    const listed = (await d.docker.listContainers({ all: true })).map((c) => c.Id);
    if (listed.includes(id)) {
      const diff = await d.dockerCli(['diff', id]);
      expect(diff.stdout.split('\n').filter((line) => line.startsWith('A /data/'))).toHaveLength(FILES);
      const start = await d.dockerCli(['start', '-a', id]);
      expect(start.code, start.stderr).toBe(0);
      expect((await d.dockerCli(['volume', 'inspect', volume])).code).toBe(0);
      expect((await d.dockerCli(['rm', '-v', id])).code).toBe(0);
    } else {
      expect(existsSync(dir)).toBe(false);
      expect((await d.dockerCli(['volume', 'inspect', volume])).code).not.toBe(0);
    }
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
    expect((await d.docker.listVolumes()).Volumes ?? []).toEqual([]);
    expect((await readdir(join(d.dataRoot, 'containers'))).filter((name) => /^[a-f0-9]{64}$/.test(name))).toEqual([]);
    // What the killed removal left in the trash goes once the daemon is up.
    await until(async () => (await entries(join(d.dataRoot, 'containers', '.trash'))) <= 0);
    expect((await findLeftovers(d.root)).mounts).toEqual([]);
  });
});

describe('a removal that fails once it is recorded', () => {
  const d = useTestDaemon({ checkAllLeftovers: true });

  it('leaves the container Dead and unstartable; the next daemon start finishes it, volume and destroy event included', async () => {
    const run = await d.dockerCli(['run', '--name', 'stuck', '-v', '/vol', 'busybox', 'true']);
    expect(run.code, run.stderr).toBe(0);
    const { Id: id, Mounts } = await d.docker.getContainer('stuck').inspect();
    const dir = join(d.dataRoot, 'containers', id);
    // A mount on the container's dir makes the rename that removes it fail (EBUSY), after the removal was recorded.
    await execFileAsync('mount', ['--bind', dir, dir]);
    try {
      const rm = await d.dockerCli(['rm', '-v', 'stuck']);
      expect(rm.code).not.toBe(0);
      expect(rm.stderr).toContain('EBUSY');
      const { State } = await d.docker.getContainer(id).inspect();
      expect(State).toMatchObject({ Status: 'dead', Dead: true });
      expect((await d.dockerCli(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toBe('stuck Dead\n');
      const start = await d.dockerCli(['start', 'stuck']);
      expect(start.stderr).toContain('container is marked for removal and cannot be started');
    } finally {
      await execFileAsync('umount', [dir]);
    }
    const since = Math.floor(Date.now() / 1000) - 1;

    await d.restart();

    expect(await d.docker.listContainers({ all: true })).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect((await d.dockerCli(['volume', 'inspect', Mounts[0]!.Name!])).code).not.toBe(0);
    const events = await d.dockerCli(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--format', '{{.Action}} {{.Actor.ID}}']);
    expect(events.stdout).toContain(`destroy ${id}`);
  });
});

describe('a data root that is full', () => {
  it('fails a create cleanly: no ghost container, no leftover dir, the name free again', async () => {
    const g = await startTestDaemon();
    const containers = join(g.dataRoot, 'containers');
    const filler = join(containers, '.filler');
    let mounted = false;
    const names = async () => (await g.docker.listContainers({ all: true })).map((c) => c.Names[0]);
    try {
      expect((await g.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
      await g.kill();
      // The containers' records on a small tmpfs of the test's own, which it fills up.
      await execFileAsync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', containers]);
      mounted = true;
      await g.restart();
      const kept = (await g.dockerCli(['create', '--name', 'kept', 'busybox'])).stdout.trim();
      // dd stops at "No space left on device": that is the point.
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });

      for (let attempt = 0; attempt < 2; attempt++) {
        const ghost = await g.dockerCli(['create', '--name', 'ghost', 'busybox']);
        expect(ghost.code).not.toBe(0);
        // The second attempt fails for the same reason, not because the first one kept the name.
        expect(ghost.stderr).toContain('no space left on device');
        expect(await names()).toEqual(['/kept']);
      }
      expect((await readdir(containers)).sort()).toEqual(['.filler', '.trash', kept]);
      const rename = await g.dockerCli(['rename', 'kept', 'renamed']);
      expect(rename.stderr).toContain('no space left on device');
      expect(await names()).toEqual(['/kept']);

      await rm(filler);
      await g.restart();
      expect(await names()).toEqual(['/kept']);
      expect((await g.dockerCli(['create', '--name', 'ghost', 'busybox'])).code).toBe(0);
      expect((await names()).sort()).toEqual(['/ghost', '/kept']);
      for (const c of await g.docker.listContainers({ all: true })) await g.docker.getContainer(c.Id).remove();
    } finally {
      await g.kill();
      if (mounted) await execFileAsync('umount', [containers]);
      expect((await g.cleanup()).mounts).toEqual([]);
    }
  });
});
