import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { dockerArchive, packTar } from './docker-archive.js';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

async function ok(args: string[]): Promise<string> {
  const result = await d.dockerCli(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const layerDirs = async (): Promise<string[]> => (await readdir(join(d.dataRoot, 'layers'))).filter((name) => /^[a-f0-9]{64}$/.test(name)).sort();
const staged = (): Promise<string[]> => readdir(join(d.dataRoot, 'layers', 'tmp'));

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(20);
}

interface StalledImport {
  /** Whether the daemon has answered (it must not while the client stalls). */
  answered(): boolean;
  /** The client goes away mid-upload. */
  abort(): void;
}

/**
 * `docker import` from a client that misbehaves: it sends the first bytes of a layer and then
 * nothing, holding the connection open. Resolves once the daemon is storing the layer.
 */
async function stalledImport(repo: string): Promise<StalledImport> {
  const tar = await packTar([{ name: 'big', body: randomBytes(1024 * 1024) }]);
  let answered = false;
  const req = request({ socketPath: d.socket, method: 'POST', path: `/v1.47/images/create?fromSrc=-&repo=${repo}`, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
    answered = true;
    res.resume();
  });
  req.on('error', () => undefined);
  req.write(tar.subarray(0, 4096));
  await until(async () => (await staged()).length > 0);
  return { answered: () => answered, abort: () => req.destroy() };
}

describe('an import whose client stalls', () => {
  it('does not hold up tag, rmi or load; aborted, it leaves no layer and no image', async () => {
    const layersBefore = await layerDirs();
    const archive = join(d.root, 'other.tar');
    await writeFile(archive, await dockerArchive('other:1', [await packTar([{ name: 'other', body: 'other\n' }])]));

    const stalled = await stalledImport('stalled');
    await ok(['tag', 'busybox', 'retagged:1']);
    expect(await ok(['rmi', 'retagged:1'])).toBe('Untagged: retagged:1\n');
    expect(await ok(['load', '-i', archive])).toBe('Loaded image: other:1\n');
    expect(stalled.answered()).toBe(false);

    stalled.abort();
    await until(async () => (await staged()).length === 0);
    const tags = (await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter(Boolean).sort();
    expect(tags).toEqual(['busybox:latest', 'other:1']);
    const otherLayer = (await d.docker.getImage('other:1').inspect()).RootFS.Layers![0]!.slice('sha256:'.length);
    expect(await layerDirs()).toEqual([...layersBefore, otherLayer].sort());
  });

  it('does not hold up a commit, which leaves its running container running, not paused', async () => {
    await ok(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'echo x > /x; exec sleep 600']);
    await until(async () => (await d.dockerCli(['exec', 'busy', 'cat', '/x'])).stdout === 'x\n');
    const stalled = await stalledImport('stalled');

    expect(await ok(['commit', 'busy', 'snap:1'])).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const { State } = await d.docker.getContainer('busy').inspect();
    expect({ running: State.Running, paused: State.Paused }).toEqual({ running: true, paused: false });
    expect(await ok(['run', '--rm', 'snap:1', 'cat', '/x'])).toBe('x\n');
    expect(stalled.answered()).toBe(false);

    stalled.abort();
    await until(async () => (await staged()).length === 0);
    await ok(['rm', '-f', 'busy']);
  });
});
