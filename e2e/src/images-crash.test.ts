import { randomBytes, randomInt } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { dockerArchive, packTar } from './docker-archive.js';
import { useTestDaemon } from './harness.js';
import { chainIdsOf } from './reliability/store-invariants.js';

const d = useTestDaemon();


/** Sends a load and ignores how it ends: the daemon may die under it. */
function postLoad(body: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ socketPath: d.socket, method: 'POST', path: '/v1.47/images/load' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(body);
  });
}

it('a store killed at random moments during 20 loads stays consistent', async () => {
  for (let i = 0; i < 20; i++) {
    const layers = [await packTar([{ name: `blob-${i}`, body: randomBytes(4 * 1024 * 1024) }]), await packTar([{ name: 'top', body: randomBytes(1024 * 1024) }])];
    const load = postLoad(await dockerArchive(`crash:${i}`, layers));
    await sleep(randomInt(0, 120));
    await d.kill();
    await load;
    await d.restart();
  }
  const images = await d.docker.listImages();
  const used = new Set<string>();
  for (const image of images) {
    const inspect = await d.docker.getImage(image.Id).inspect();
    for (const chainId of chainIdsOf(inspect.RootFS.Layers ?? [])) used.add(chainId.slice('sha256:'.length));
  }
  const onDisk = (await readdir(join(d.dataRoot, 'layers'))).filter((name) => /^[a-f0-9]{64}$/.test(name));
  expect(onDisk.sort()).toEqual([...used].sort());
  expect(await readdir(join(d.dataRoot, 'layers', 'tmp'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'image', 'tmp'))).toEqual([]);
  const tags = images.flatMap((image) => image.RepoTags ?? []);
  expect(tags).toContain('busybox:latest');
  const run = await d.dockerCli(['run', '--rm', 'busybox', 'echo', 'still-runs']);
  expect(run.stdout).toBe('still-runs\n');
  for (const tag of tags.filter((t) => t.startsWith('crash:'))) {
    const inspect = await d.docker.getImage(tag).inspect();
    expect(inspect.RootFS.Layers).toHaveLength(2);
  }
}, 300_000);
