import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerArchive, packTar, type TarEntry } from './docker-archive.js';
import { startTestDaemon, type TestDaemon } from './harness.js';

let daemon: TestDaemon;
const canary = `/tmp/berth-canary-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  daemon = await startTestDaemon();
});

afterAll(async () => {
  const leftovers = await daemon.cleanup();
  expect(leftovers.mounts).toEqual([]);
});

function postLoad(body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: daemon.socket, method: 'POST', path: '/v1.47/images/load', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const depth = '../'.repeat(12);
const hostileLayers: Array<[string, TarEntry[], string]> = [
  ['a "../" path', [{ name: 'etc/', type: 'directory' }, { name: `${depth}${canary.slice(1)}`, body: 'owned' }], `${depth}${canary.slice(1)}`],
  ['an absolute path', [{ name: canary, body: 'owned' }], canary],
  [
    'a symlink pointing outside, then a file through it',
    [
      { name: 'escape', type: 'symlink', linkname: `${depth}tmp` },
      { name: `escape/${canary.split('/').pop()}`, body: 'owned' },
    ],
    'escape',
  ],
  [
    'an absolute symlink, then a file through it',
    [
      { name: 'hostdir', type: 'symlink', linkname: '/tmp' },
      { name: `hostdir/${canary.split('/').pop()}`, body: 'owned' },
    ],
    'hostdir',
  ],
];

describe('image load refuses hostile layers', () => {
  it.each(hostileLayers)('%s', async (_name, entries, badEntry) => {
    const archive = await dockerArchive('hostile:latest', [await packTar(entries)]);
    const res = await postLoad(archive);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.parse(res.body).message).toContain(badEntry);
    expect(existsSync(canary)).toBe(false);
    const images = await daemon.docker.listImages();
    expect(images.flatMap((i) => i.RepoTags ?? [])).not.toContain('hostile:latest');
    expect(await daemon.docker.ping()).toBeTruthy();
  });
});
