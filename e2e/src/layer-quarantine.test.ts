import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { busyboxArchive, startTestDaemon, type TestDaemon } from './harness.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon([], { logToFile: true });
  const loaded = await d.dockerCli(['load', '-i', await busyboxArchive()]);
  expect(loaded.code, loaded.stderr).toBe(0);
});

afterAll(async () => {
  if (d) expect((await d.cleanup()).mounts).toEqual([]);
});

/** Every path under `dir` with its size, to show nothing in it was deleted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return Promise.all(entries.sort().map(async (entry) => `${entry} ${(await stat(join(dir, entry))).size}`));
}

it('a layer whose metadata is corrupt is quarantined, not deleted; the images on it stay listed and say why they cannot run', async () => {
  const made = await d.dockerCli(['run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo more > /more']);
  expect(made.code, made.stderr).toBe(0);
  expect((await d.dockerCli(['commit', 'maker', 'plus:1'])).code).toBe(0);
  expect((await d.dockerCli(['rm', 'maker'])).code).toBe(0);
  const busybox = await d.docker.getImage('busybox').inspect();
  const plus = await d.docker.getImage('plus:1').inspect();
  const bottom = busybox.RootFS.Layers![0]!;
  const hex = bottom.slice('sha256:'.length);
  const layers = join(d.dataRoot, 'layers');
  const layerDirs = async () => (await readdir(layers)).filter((name) => /^[a-f0-9]{64}$/.test(name)).sort();
  const before = await layerDirs();
  expect(before).toHaveLength(2);
  const contentBefore = await tree(join(layers, hex, 'diff'));

  await d.kill();
  await writeFile(join(layers, hex, 'metadata.json'), '{"chainId": "sha256:');
  await d.restart();

  const [moved, ...others] = await readdir(join(layers, 'quarantine'));
  expect(others).toEqual([]);
  expect(moved).toMatch(new RegExp(`^${hex}-\\d+$`));
  const quarantined = join(layers, 'quarantine', moved!);
  expect(await tree(join(quarantined, 'diff'))).toEqual(contentBefore);
  expect(await readFile(join(quarantined, 'metadata.json'), 'utf8')).toBe('{"chainId": "sha256:');
  // The intact layer of plus:1 above it is kept too.
  expect(await layerDirs()).toEqual(before.filter((name) => name !== hex));

  const log = await readFile(d.logPath, 'utf8');
  expect(log).toContain(`quarantined layer directory ${join(layers, hex)} (metadata.json is not valid JSON): moved to ${quarantined}`);
  expect(log).toContain(`image ${busybox.Id} (busybox:latest) is unusable: layer ${bottom} is quarantined at ${quarantined}`);
  expect(log).toContain(`image ${plus.Id} (plus:1) is unusable: layer ${bottom} is quarantined at ${quarantined}`);

  const images = await d.dockerCli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  expect(images.stdout.split('\n').filter(Boolean).sort()).toEqual([`busybox:latest ${busybox.Id.slice(7, 19)}`, `plus:1 ${plus.Id.slice(7, 19)}`]);
  for (const image of ['busybox', 'plus:1']) {
    const run = await d.dockerCli(['run', '--rm', image, 'true']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`is unusable: layer ${bottom} is quarantined at ${quarantined}`);
  }
  const save = await d.dockerCli(['save', '-o', join(d.root, 'out.tar'), 'busybox']);
  expect(save.code).not.toBe(0);
  expect(save.stderr).toContain(`layer ${bottom} is quarantined`);

  // Loading the image again brings the layer back; the quarantined copy stays for the operator.
  expect((await d.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
  expect((await d.dockerCli(['run', '--rm', 'plus:1', 'cat', '/more'])).stdout).toBe('more\n');
  expect(existsSync(quarantined)).toBe(true);
});
