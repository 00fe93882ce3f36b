import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, startTestDaemon, useTestDaemon } from './harness.js';

const execFileAsync = promisify(execFile);

const d = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-images-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function ok(args: string[], input?: string): Promise<string> {
  const result = await d.dockerCli(args, input);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

async function layerDirs(dataRoot: string): Promise<string[]> {
  return (await readdir(join(dataRoot, 'layers'))).filter((name) => /^[a-f0-9]{64}$/.test(name));
}

describe('commit, save and load', () => {
  it('commits a container with --change and runs the new image', async () => {
    await ok(['run', '--name', 'committed', 'busybox', 'sh', '-c', 'echo data > /added && rm /bin/vi && mkdir -p /srv']);
    const id = (await ok(['commit', '--change', 'CMD ["echo","hi"]', '--change', 'WORKDIR /srv', '-m', 'a message', '-a', 'me', 'committed', 'derived:1'])).trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await ok(['run', '--rm', 'derived:1'])).toBe('hi\n');
    expect(await ok(['run', '--rm', 'derived:1', 'sh', '-c', 'cat /added; pwd; test -e /bin/vi || echo no-vi'])).toBe('data\n/srv\nno-vi\n');
    const inspect = JSON.parse(await ok(['image', 'inspect', 'derived:1']))[0];
    expect(inspect.Author).toBe('me');
    expect(inspect.Comment).toBe('a message');
    const history = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'derived:1']);
    expect(history.split('\n')[0]).toBe('sh -c echo data > /added && rm /bin/vi && mkdir -p /srv|a message');
  });

  it('saves two images sharing a base layer; a fresh data root loads them with the same IDs, the shared layer once', async () => {
    const archive = join(work, 'both.tar');
    await ok(['save', '-o', archive, 'busybox', 'derived:1']);
    const ids = (await ok(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).trim().split('\n').sort();
    const fresh = await startTestDaemon();
    try {
      const loaded = await fresh.dockerCli(['load', '-i', archive]);
      expect(loaded.code).toBe(0);
      expect(loaded.stdout).toContain('Loaded image: busybox:latest');
      expect(loaded.stdout).toContain('Loaded image: derived:1');
      const freshIds = (await fresh.dockerCli(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout.trim().split('\n').sort();
      expect(freshIds).toEqual(ids);
      const derived = JSON.parse((await fresh.dockerCli(['image', 'inspect', 'derived:1'])).stdout)[0];
      const base = JSON.parse((await fresh.dockerCli(['image', 'inspect', 'busybox'])).stdout)[0];
      expect(derived.RootFS.Layers.slice(0, base.RootFS.Layers.length)).toEqual(base.RootFS.Layers);
      expect((await layerDirs(fresh.dataRoot)).length).toBe(derived.RootFS.Layers.length);
      expect((await fresh.dockerCli(['run', '--rm', 'derived:1'])).stdout).toBe('hi\n');
    } finally {
      await fresh.cleanup();
    }
  });

  it('writes an archive skopeo reads as docker-archive and as oci-archive', async () => {
    const archive = join(work, 'derived.tar');
    await ok(['save', '-o', archive, 'derived:1']);
    const asDocker = JSON.parse((await execFileAsync('skopeo', ['inspect', `docker-archive:${archive}`])).stdout);
    const asOci = JSON.parse((await execFileAsync('skopeo', ['inspect', `oci-archive:${archive}`])).stdout);
    const inspect = JSON.parse(await ok(['image', 'inspect', 'derived:1']))[0];
    expect(asDocker.Layers.length).toBe(inspect.RootFS.Layers.length);
    expect(asOci.Layers).toEqual(inspect.RootFS.Layers);
  });

  it('loads an OCI archive written by skopeo copy', async () => {
    const out = join(work, 'skopeo-oci.tar');
    await execFileAsync('skopeo', ['copy', `docker-archive:${await busyboxArchive()}`, `oci-archive:${out}:skopeo/busybox:oci`]);
    const fresh = await startTestDaemon();
    try {
      const loaded = await fresh.dockerCli(['load', '-i', out]);
      expect(loaded.stderr).toBe('');
      expect(loaded.code).toBe(0);
      expect((await fresh.dockerCli(['run', '--rm', 'skopeo/busybox:oci', 'echo', 'from-oci'])).stdout).toBe('from-oci\n');
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('tag, remove and prune', () => {
  it('refuses to remove an image a container uses, with docker messages', async () => {
    await ok(['rm', 'committed']);
    await ok(['create', '--name', 'user', 'busybox']);
    const short = (await ok(['inspect', '--format', '{{.Id}}', 'user'])).trim().slice(0, 12);
    const image = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).trim();
    const byName = await d.dockerCli(['rmi', 'busybox']);
    expect(byName.code).toBe(1);
    expect(byName.stderr).toContain(
      `conflict: unable to remove repository reference "busybox" (must force) - container ${short} is using its referenced image ${image.slice(7, 19)}`,
    );
    const byId = await d.dockerCli(['rmi', image.slice(7, 19)]);
    expect(byId.stderr).toContain(`unable to delete ${image.slice(7, 19)} (must be forced) - image is being used by stopped container ${short}`);
    await ok(['rm', 'user']);
  });

  it('tags, untags and deletes', async () => {
    await ok(['tag', 'busybox', 'example.com/team/box:v1']);
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=example.com/*/*'])).toBe('example.com/team/box:v1\n');
    expect(await ok(['rmi', 'example.com/team/box:v1'])).toBe('Untagged: example.com/team/box:v1\n');
    expect(await ok(['images', '-q', '--filter', 'dangling=true'])).toBe('');
  });

  it('imports a tarball with --change and prunes what no container uses', async () => {
    const tarball = join(work, 'rootfs.tar');
    await execFileAsync('tar', ['-C', join(work), '-cf', tarball, '--files-from', '/dev/null']);
    const imported = (await ok(['import', '--change', 'LABEL purpose=prune-me', '--change', 'ENV A=1', tarball, 'imported:1'])).trim();
    expect(imported).toMatch(/^sha256:/);
    const inspect = JSON.parse(await ok(['image', 'inspect', 'imported:1']))[0];
    expect(inspect.Config.Labels).toEqual({ purpose: 'prune-me' });
    expect(inspect.Config.Env).toEqual(['A=1']);
    expect(await ok(['history', '--format', '{{.Comment}}', 'imported:1'])).toBe('Imported from -\n');
    expect(await ok(['images', '--format', '{{.Repository}}', '--filter', 'label=purpose=prune-me'])).toBe('imported\n');
    const pruned = await ok(['image', 'prune', '-a', '-f', '--filter', 'label=purpose=prune-me']);
    expect(pruned).toContain('untagged: imported:1');
    expect(pruned).toContain(`deleted: ${imported}`);
    expect((await d.dockerCli(['image', 'inspect', 'imported:1'])).code).toBe(1);
  });

  it('reports disk usage', async () => {
    const df = await ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    expect(df).toContain('Images 2');
    expect(df).toContain('Local Volumes 0');
    const verbose = await ok(['system', 'df', '-v']);
    expect(verbose).toMatch(/derived\s+1\s+[a-f0-9]{12}/);
  });
});
