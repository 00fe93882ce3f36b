import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, useTestDaemon } from './harness.js';
import { imageWithVolumes } from './volume-image.js';

describe('volumes and mounts', () => {
  const d = useTestDaemon();

  beforeAll(async () => {
    const archive = join(d.root, 'voltest.tar');
    await writeFile(
      archive,
      await imageWithVolumes(await busyboxArchive(), 'voltest:latest', ['/data'], [
        { name: 'data/', type: 'directory', mode: 0o750 },
        { name: 'data/hello', body: 'from the image\n' },
      ]),
    );
    expect((await d.dockerCli(['load', '-i', archive])).code).toBe(0);
  }, 60_000);

  const volumeNames = async () => (await d.dockerCli(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).sort();

  it('shares a named volume between containers', async () => {
    expect((await d.dockerCli(['volume', 'create', 'shared'])).stdout.trim()).toBe('shared');
    const write = await d.dockerCli(['run', '--rm', '-v', 'shared:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
    expect(write).toMatchObject({ code: 0, stderr: '' });
    const read = await d.dockerCli(['run', '--rm', '-v', 'shared:/data', 'busybox', 'cat', '/data/f']);
    expect(read).toMatchObject({ code: 0, stdout: 'persisted\n' });
    const inspect = JSON.parse((await d.dockerCli(['volume', 'inspect', 'shared'])).stdout) as Record<string, unknown>[];
    expect(inspect[0]).toMatchObject({ Name: 'shared', Driver: 'local', Scope: 'local', Mountpoint: join(d.dataRoot, 'volumes/shared/_data') });
    expect(await readFile(join(d.dataRoot, 'volumes/shared/_data/f'), 'utf8')).toBe('persisted\n');
  });

  it('copies the image content into a fresh named volume, unless nocopy', async () => {
    const seen = await d.dockerCli(['run', '--rm', '-v', 'fresh:/data', 'voltest', 'cat', '/data/hello']);
    expect(seen).toMatchObject({ code: 0, stdout: 'from the image\n' });
    expect((await stat(join(d.dataRoot, 'volumes/fresh/_data'))).mode & 0o777).toBe(0o750);
    const nocopy = await d.dockerCli(['run', '--rm', '--mount', 'type=volume,src=nocopy,dst=/data,volume-nocopy', 'voltest', 'ls', '-A', '/data']);
    expect(nocopy).toMatchObject({ code: 0, stdout: '' });
  });

  it('gives an image VOLUME an anonymous volume that --rm removes', async () => {
    const before = await volumeNames();
    const seen = await d.dockerCli(['run', '--rm', 'voltest', 'cat', '/data/hello']);
    expect(seen).toMatchObject({ code: 0, stdout: 'from the image\n' });
    expect(await volumeNames()).toEqual(before);
  });

  it('keeps anonymous volumes until rm -v, and shows mounts in inspect and ps', async () => {
    const before = await volumeNames();
    const id = (await d.dockerCli(['create', '-v', '/anon', '-v', 'named-kept:/named', 'busybox', 'true'])).stdout.trim();
    const created = (await volumeNames()).filter((n) => !before.includes(n));
    const anon = created.find((n) => n !== 'named-kept');
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    const [info] = (await d.docker.getContainer(id).inspect()).Mounts.sort((a, b) => a.Destination.localeCompare(b.Destination));
    expect(info).toMatchObject({ Type: 'volume', Name: anon, Destination: '/anon', Driver: 'local', RW: true, Source: join(d.dataRoot, 'volumes', anon!, '_data') });
    const rows = await d.docker.listContainers({ all: true, filters: { id: [id] } });
    expect(rows[0]?.Mounts.map((m) => m.Destination).sort()).toEqual(['/anon', '/named']);
    const anonInfo = JSON.parse((await d.dockerCli(['volume', 'inspect', anon!])).stdout) as { Labels: Record<string, string> }[];
    expect(anonInfo[0]?.Labels).toEqual({ 'com.docker.volume.anonymous': '' });
    expect((await d.dockerCli(['rm', '-v', id])).code).toBe(0);
    expect(await volumeNames()).toEqual([...before, 'named-kept'].sort());
  });

  it('refuses writes through :ro volume and bind mounts', async () => {
    const host = join(d.root, 'ro-bind');
    await mkdir(host);
    for (const spec of [`${host}:/x:ro`, 'rovol:/x:ro']) {
      const result = await d.dockerCli(['run', '--rm', '-v', spec, 'busybox', 'sh', '-c', 'echo no > /x/f']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Read-only file system');
    }
    const mountRo = await d.dockerCli(['run', '--rm', '--mount', `type=bind,src=${host},dst=/x,readonly`, 'busybox', 'touch', '/x/f']);
    expect(mountRo.stderr).toContain('Read-only file system');
    const rw = await d.dockerCli(['run', '--rm', '-v', `${host}:/x`, 'busybox', 'sh', '-c', 'echo yes > /x/f']);
    expect(rw.code).toBe(0);
    expect(await readFile(join(host, 'f'), 'utf8')).toBe('yes\n');
  });

  it('creates a missing bind source for -v but not for --mount', async () => {
    const missing = join(d.root, 'made-by-v');
    expect((await d.dockerCli(['run', '--rm', '-v', `${missing}:/x`, 'busybox', 'true'])).code).toBe(0);
    expect((await stat(missing)).isDirectory()).toBe(true);
    const absent = join(d.root, 'absent');
    const refused = await d.dockerCli(['run', '--rm', '--mount', `type=bind,src=${absent},dst=/x`, 'busybox', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${absent}`);
    await expect(
      d.docker.createContainer({ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: absent, Target: '/x' }] } }),
    ).rejects.toMatchObject({ statusCode: 400, json: { message: `invalid mount config for type "bind": bind source path does not exist: ${absent}` } });
  });

  it('mounts empty, sized tmpfs that is gone after the container stops', async () => {
    const run = await d.dockerCli([
      'run', '--name', 'tmpfs-user', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', '--tmpfs', '/t2:size=2m',
      'busybox', 'sh', '-c', 'ls -A /t; ls -A /t2; df -k /t /t2 | tail -2 | tr -s " " | cut -d" " -f2; touch /t/x /t2/x',
    ]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toBe('1024\n2048\n');
    const again = await d.dockerCli(['start', '-a', 'tmpfs-user']);
    expect(again.stdout).toBe('1024\n2048\n');
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mountinfo).not.toContain(d.dataRoot);
  });

  it('refuses to remove a volume in use with 409, and prune keeps it', async () => {
    await d.dockerCli(['volume', 'create', 'busy']);
    const id = (await d.dockerCli(['create', '-v', 'busy:/x', 'busybox', 'true'])).stdout.trim();
    const rm = await d.dockerCli(['volume', 'rm', 'busy']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain(`remove busy: volume is in use - [${id}]`);
    await expect(d.docker.getVolume('busy').remove()).rejects.toMatchObject({ statusCode: 409 });
    const pruned = await d.docker.pruneVolumes({ filters: { all: ['true'] } });
    expect(pruned.VolumesDeleted).not.toContain('busy');
    expect(await volumeNames()).toContain('busy');
    const dangling = (await d.dockerCli(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout.split('\n');
    expect(dangling).not.toContain('busy');
    expect((await d.dockerCli(['rm', id])).code).toBe(0);
    expect((await d.dockerCli(['volume', 'rm', 'busy'])).code).toBe(0);
  });

  it('prunes only anonymous volumes by default and filters by label', async () => {
    await d.docker.createVolume({ Name: 'labelled', Labels: { tier: 'cache' } });
    const anon = await d.docker.createVolume({});
    const pruned = await d.docker.pruneVolumes();
    expect(pruned.VolumesDeleted).toEqual([anon.name]);
    const list = await d.docker.listVolumes({ filters: { label: ['tier=cache'] } });
    expect(list.Volumes.map((v) => v.Name)).toEqual(['labelled']);
    const all = await d.docker.pruneVolumes({ filters: { all: ['true'], label: ['tier=cache'] } });
    expect(all.VolumesDeleted).toEqual(['labelled']);
  });

  it('shares volumes with --volumes-from', async () => {
    await d.dockerCli(['create', '--name', 'source', '-v', 'from-vol:/shared', 'busybox', 'true']);
    const result = await d.dockerCli(['run', '--rm', '--volumes-from', 'source:ro', 'busybox', 'sh', '-c', 'ls -d /shared && touch /shared/f']);
    expect(result.stdout).toBe('/shared\n');
    expect(result.stderr).toContain('Read-only file system');
  });

  it('mounts local-driver volumes with type/device/o options', async () => {
    const created = await d.dockerCli(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=3m', 'ramvol']);
    expect(created.code).toBe(0);
    const df = await d.dockerCli(['run', '--rm', '-v', 'ramvol:/r', 'busybox', 'sh', '-c', 'df -k /r | tail -1 | tr -s " " | cut -d" " -f2']);
    expect(df).toMatchObject({ code: 0, stdout: '3072\n' });
    const host = join(d.root, 'bound-by-driver');
    await mkdir(host);
    await writeFile(join(host, 'seen'), 'through the driver\n');
    await d.docker.createVolume({ Name: 'bindvol', DriverOpts: { type: 'none', o: 'bind', device: host } });
    const read = await d.dockerCli(['run', '--rm', '-v', 'bindvol:/b', 'busybox', 'cat', '/b/seen']);
    expect(read).toMatchObject({ code: 0, stdout: 'through the driver\n' });
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(join(d.dataRoot, 'volumes'));
    expect((await d.dockerCli(['volume', 'rm', 'ramvol', 'bindvol'])).code).toBe(0);
    expect(await readFile(join(host, 'seen'), 'utf8')).toBe('through the driver\n');
  });

  it('reports volume create and destroy events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await d.dockerCli(['volume', 'create', 'evented']);
    await d.dockerCli(['volume', 'rm', 'evented']);
    const until = Math.ceil(Date.now() / 1000) + 1;
    const events = await d.dockerCli([
      'events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--filter', 'volume=evented', '--format', '{{.Action}} {{.Actor.ID}}',
    ]);
    expect(events.stdout).toBe('create evented\ndestroy evented\n');
  });

  it('rejects invalid volume names', async () => {
    const result = await d.dockerCli(['volume', 'create', 'a/b']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('includes invalid characters for a local volume name');
    await expect(d.docker.createVolume({ Name: '..' })).rejects.toMatchObject({ statusCode: 400 });
  });
});
