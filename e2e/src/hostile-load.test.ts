import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { dockerArchive, packTar, type TarEntry } from './docker-archive.js';
import { startTestDaemon, useTestDaemon } from './harness.js';

const daemon = useTestDaemon({ busybox: false });
const canary = `/tmp/berth-canary-${randomBytes(6).toString('hex')}`;

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
  ['a hardlink to a file outside', [{ name: 'passwd', type: 'link', linkname: `${depth}etc/passwd` }], 'passwd'],
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

/** A layer tar holding one file of `size` zero bytes, gzip-compressed as it is written (a few KB per GB). */
async function zeroBomb(size: number): Promise<Buffer> {
  const pack = tar.pack();
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => gzip.on('end', () => resolve()));
  pack.on('data', (c: unknown) => {
    if (!gzip.write(c as Buffer)) pack.pause();
  });
  gzip.on('drain', () => pack.resume());
  pack.on('end', () => gzip.end());
  const entry = pack.entry({ name: 'zeros', size });
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    if (!entry.write(block)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
  }
  entry.end(Buffer.alloc(0));
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe('a decompression bomb', () => {
  it('is refused at the configured max-layer-size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-bomb-'));
    const configFile = join(dir, 'daemon.json');
    await writeFile(configFile, JSON.stringify({ 'max-layer-size': 64 * 1024 * 1024 }));
    const capped = await startTestDaemon(['--config-file', configFile]);
    try {
      const bomb = await zeroBomb(1024 ** 3);
      expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
      const archive = await dockerArchive('bomb:latest', [bomb]);
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ socketPath: capped.socket, method: 'POST', path: '/v1.47/images/load' }, (response) => {
          let data = '';
          response.on('data', (d: Buffer) => (data += d.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: data }));
        });
        req.on('error', reject);
        req.end(archive);
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).message).toContain(`limit of ${64 * 1024 * 1024} decompressed bytes`);
      expect(await capped.docker.listImages()).toEqual([]);
      expect(readdirSync(join(capped.dataRoot, 'layers')).filter((name) => /^[a-f0-9]{64}$/.test(name))).toEqual([]);
    } finally {
      const leftovers = await capped.cleanup();
      await rm(dir, { recursive: true, force: true });
      expect(leftovers.mounts).toEqual([]);
    }
  }, 120_000);
});
