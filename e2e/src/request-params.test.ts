import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTarEntries } from './docker-archive.js';
import { run, useTestDaemon } from './harness.js';

const d = useTestDaemon();
let scratch: string;

/** A request over the socket, its body sent from a file when given; the response body as text. */
function send(method: string, path: string, file?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = file === undefined ? {} : { 'Content-Type': 'application/x-tar' };
    const req = request({ socketPath: d.socket, method, path: `/v1.47${path}`, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (file === undefined) req.end();
    else createReadStream(file).pipe(req);
  });
}

const jsonLines = (text: string) => text.split(/\r?\n/).filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'berth-params-'));
  // A child of busybox: it shares busybox's layer and adds one of its own.
  expect((await d.dockerCli(['run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo made > /made'])).code).toBe(0);
  expect((await d.dockerCli(['commit', 'maker', 'child:1'])).code).toBe(0);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('GET /images/json', () => {
  it('computes SharedSize only when asked (shared-size)', async () => {
    const plain = (await d.docker.listImages()).find((image) => image.RepoTags?.includes('busybox:latest'));
    expect(plain?.SharedSize).toBe(-1);
    const withShared = (await d.docker.listImages({ 'shared-size': true } as object)).find((image) => image.RepoTags?.includes('busybox:latest'));
    expect(withShared?.SharedSize).toBe(withShared?.Size);
  });

  it('lists each image with the manifest docker save writes for it (manifests), which docker image ls --tree shows', async () => {
    const { id: container } = await d.docker.createContainer({ Image: 'child:1', Cmd: ['true'] });
    const res = await send('GET', '/images/json?manifests=1');
    const child = (JSON.parse(res.body) as Array<{ RepoTags: string[]; Manifests: Array<Record<string, unknown>> }>).find((image) => image.RepoTags.includes('child:1'));
    const saved = await readTarEntries(await d.docker.getImage('child:1').get());
    const index = JSON.parse(saved.find((entry) => entry.name === 'index.json')!.body.toString()) as { manifests: Array<{ digest: string }> };
    expect(child?.Manifests).toEqual([
      expect.objectContaining({
        ID: index.manifests[0]!.digest,
        Kind: 'image',
        Available: true,
        ImageData: expect.objectContaining({ Platform: expect.objectContaining({ os: 'linux' }), Containers: [container] }),
      }),
    ]);
    const tree = await d.dockerCli(['image', 'ls', '--tree']);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/└─ linux\/\w+/);
    await d.docker.getContainer(container).remove();
  });
});

describe('POST /images/load', () => {
  it('reports layer progress only for quiet=0, as the docker CLI asks on a terminal', async () => {
    const archive = join(scratch, 'child-load.tar');
    await pipeline(await d.docker.getImage('child:1').get(), createWriteStream(archive));
    await d.docker.getContainer('maker').remove();
    expect((await d.dockerCli(['rmi', 'child:1'])).code).toBe(0);

    const verbose = jsonLines((await send('POST', '/images/load?quiet=0', archive)).body);
    expect(verbose.some((m) => m.status === 'Loading layer')).toBe(true);
    expect(verbose.at(-1)).toEqual({ stream: 'Loaded image: child:1\n' });

    const quiet = jsonLines((await send('POST', '/images/load', archive)).body);
    expect(quiet).toEqual([{ stream: 'Loaded image: child:1\n' }]);
  });
});

describe('platform', () => {
  it('docker import --platform gives the image that platform', async () => {
    const tar = join(scratch, 'rootfs.tar');
    await writeFile(join(scratch, 'file'), 'x');
    expect((await run('tar', ['-C', scratch, '-cf', tar, 'file'])).code).toBe(0);
    expect((await d.dockerCli(['import', '--platform', 'linux/arm64/v8', tar, 'imported:arm'])).code).toBe(0);
    expect(await d.docker.getImage('imported:arm').inspect()).toMatchObject({ Os: 'linux', Architecture: 'arm64', Variant: 'v8' });
    const windows = await d.dockerCli(['import', '--platform', 'windows/amd64', tar, 'imported:win']);
    expect(windows.stderr).toContain('operating system is not supported');
  });

  it("docker create --platform takes the image's own platform and refuses another", async () => {
    const { Architecture } = await d.docker.getImage('busybox').inspect();
    expect((await d.dockerCli(['run', '--rm', '--platform', `linux/${Architecture}`, 'busybox', 'true'])).code).toBe(0);
    const other = Architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    await expect(d.docker.createContainer({ Image: 'busybox', platform: other } as object)).rejects.toMatchObject({
      statusCode: 404,
      json: { message: `image with reference busybox was found but its platform (linux/${Architecture}) does not match the specified platform (${other})` },
    });
  });
});

describe('GET /system/df', () => {
  it('answers only the object types asked for (type), the others null', async () => {
    const res = await send('GET', '/system/df?type=volume&type=container');
    expect(JSON.parse(res.body)).toMatchObject({ Images: null, BuildCache: null, LayersSize: 0, Volumes: [], Containers: expect.any(Array) });
    expect((await d.dockerCli(['system', 'df'])).code).toBe(0);
  });
});
