import { createReadStream } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dockerArchive, packTar } from './docker-archive.js';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

const layerDirs = async (): Promise<string[]> => (await readdir(join(d.dataRoot, 'layers'))).filter((name) => /^[a-f0-9]{64}$/.test(name)).sort();

/** An image archive of `depth` layers: a shell, then one file per layer. */
async function deepArchive(tag: string, depth: number): Promise<string> {
  const shell = await packTar([
    { name: 'bin', type: 'directory' },
    { name: 'bin/busybox', body: await readFile('/bin/busybox'), mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/cat', type: 'symlink', linkname: 'busybox' },
  ]);
  const layers = [shell];
  for (let i = 2; i <= depth; i++) layers.push(await packTar([{ name: `f${i}`, body: `${i}\n` }]));
  const path = join(d.root, `${tag.replace(':', '-')}.tar`);
  await writeFile(path, await dockerArchive(tag, layers));
  return path;
}

it('refuses an image of 126 layers with moby\'s "max depth exceeded" (400) and keeps none of it', async () => {
  const before = await layerDirs();
  const archive = await deepArchive('deep:126', 126);
  const load = await d.dockerCli(['load', '-i', archive]);
  expect(load.code).not.toBe(0);
  expect(load.stderr).toContain('max depth exceeded');
  await expect(d.docker.loadImage(createReadStream(archive))).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('max depth exceeded') });
  expect(await layerDirs()).toEqual(before);
  expect(await readdir(join(d.dataRoot, 'layers', 'tmp'))).toEqual([]);
  const images = await d.dockerCli(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  expect(images.stdout).toBe('busybox:latest\n');
});

it('runs an image of 125 layers, but refuses to commit a 126th on it (400)', async () => {
  const load = await d.dockerCli(['load', '-i', await deepArchive('deep:125', 125)]);
  expect(load.stderr).toBe('');
  expect(load.stdout).toBe('Loaded image: deep:125\n');
  const run = await d.dockerCli(['run', '--name', 'deep', 'deep:125', 'sh', '-c', 'cat /f2 /f125 && echo new > /f126']);
  expect(run.stdout).toBe('2\n125\n');
  const before = await layerDirs();

  const commit = await d.dockerCli(['commit', 'deep', 'deeper:1']);
  expect(commit.code).not.toBe(0);
  expect(commit.stderr).toContain('max depth exceeded');
  await expect(d.docker.getContainer('deep').commit({ repo: 'deeper', tag: '1' })).rejects.toMatchObject({ statusCode: 400, json: { message: 'max depth exceeded' } });
  expect(await layerDirs()).toEqual(before);
});
