import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_CHUNK_BYTES } from '../storage/file-range-stream.js';
import { makeBackend, pushBlob, type BackendFixture } from '../storage/test-support/backend-fixture.js';
import { createRegistryServer } from './registry-routes.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

// Over a real socket, not inject: file ranges are written to the connection directly.
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

async function openFiles(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('blob GET from the filesystem', () => {
  let fixture: BackendFixture;
  let app: FastifyInstance;
  let port: number;
  // Larger than what loopback socket buffers hold, so a client that stops reading stops the transfer midway.
  const blob = randomBytes(24 * FILE_CHUNK_BYTES + 4321);
  let digest: string;
  beforeEach(async () => {
    fixture = await makeBackend();
    digest = await pushBlob(fixture.backend, 'library/big', blob);
    app = createRegistryServer(fixture.backend, { logLevel: 'silent' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await app.close();
    await fixture.cleanup();
  });

  it('sends the whole blob with its headers, and any range of it with 206', async () => {
    const whole = await get(port, `/v2/library/big/blobs/${digest}`);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(blob)).toBe(true);
    expect(whole.headers).toMatchObject({
      'content-length': String(blob.length),
      'docker-content-digest': digest,
      'docker-distribution-api-version': 'registry/2.0',
      'accept-ranges': 'bytes',
    });
    const start = FILE_CHUNK_BYTES - 10;
    const part = await get(port, `/v2/library/big/blobs/${digest}`, { range: `bytes=${start}-${start + FILE_CHUNK_BYTES}` });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes ${start}-${start + FILE_CHUNK_BYTES}/${blob.length}`);
    expect(part.body.equals(blob.subarray(start, start + FILE_CHUNK_BYTES + 1))).toBe(true);
    expect((await get(port, `/v2/library/big/blobs/${digest}`, { range: 'bytes=-5' })).body.equals(blob.subarray(-5))).toBe(true);
    const empty = await get(port, `/v2/library/big/blobs/${await pushBlob(fixture.backend, 'library/big', '')}`);
    expect(empty).toMatchObject({ status: 200, headers: { 'content-length': '0' } });
    expect(empty.body).toHaveLength(0);
  });

  it('closes the blob file when the client goes away mid-transfer, and keeps serving', async () => {
    const before = await openFiles();
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/v2/library/big/blobs/${digest}` }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err))).end();
    });
    for (let i = 0; i < 100 && (await openFiles()) > before; i++) await setTimeout(20);
    expect(await openFiles()).toBeLessThanOrEqual(before);
    expect((await get(port, `/v2/library/big/blobs/${digest}`)).body.equals(blob)).toBe(true);
  });
});
