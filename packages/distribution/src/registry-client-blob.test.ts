import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient } from './registry-client.js';

const CONTENT = Buffer.from('the bytes of a layer');
const DIGEST = `sha256:${createHash('sha256').update(CONTENT).digest('hex')}`;
const TOKEN = 'a-token';

// A registry that asks for a bearer token and sends blob GETs on to a storage server of another origin, as registries
// backed by object storage do; both on loopback, recording the headers each request came with.
let registry: Server;
let storage: Server;
let registryUrl: string;
const storageSaw: IncomingHttpHeaders[] = [];
const registrySaw: string[] = [];

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  storageSaw.length = 0;
  registrySaw.length = 0;
  storage = createServer((req, res) => {
    storageSaw.push(req.headers);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) return res.writeHead(206, { 'content-length': CONTENT.length - Number(range[1]) }).end(CONTENT.subarray(Number(range[1])));
    res.writeHead(200, { 'content-length': CONTENT.length }).end(CONTENT);
  });
  const storageUrl = await listen(storage);
  registry = createServer((req, res) => {
    registrySaw.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    if (req.url?.startsWith('/token')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      // Two challenges in two headers, the one the client can answer second.
      res.setHeader('www-authenticate', ['Basic realm="test"', `Bearer realm="${registryUrl}/token",service="test"`]);
      return res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    if (req.url === `/v2/app/blobs/${DIGEST}`) return res.writeHead(307, { location: `${storageUrl}/blob?signed=1` }).end();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}');
  });
  registryUrl = await listen(registry);
});
afterEach(async () => {
  for (const server of [registry, storage]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('RegistryClient.getBlob', () => {
  it('answers the bearer challenge of two, follows the redirect to storage, and does not send the token there', async () => {
    const blob = await new RegistryClient({ url: registryUrl }).getBlob('app', DIGEST);

    expect(await readAll(blob.stream)).toEqual(CONTENT);
    expect(blob.size).toBe(CONTENT.length);
    expect(registrySaw).toEqual([`GET /v2/app/blobs/${DIGEST} -`, 'GET /token?service=test&scope=repository%3Aapp%3Apull -', `GET /v2/app/blobs/${DIGEST} Bearer ${TOKEN}`]);
    expect(storageSaw).toHaveLength(1);
    expect(storageSaw[0]!.authorization).toBeUndefined();
  });

  it('asks storage for the rest of a range', async () => {
    const blob = await new RegistryClient({ url: registryUrl }).getBlob('app', DIGEST, { offset: 4 });

    expect(await readAll(blob.stream)).toEqual(CONTENT.subarray(4));
    expect(storageSaw[0]!.range).toBe('bytes=4-');
  });

  it("gives the registry's error for a blob it does not have", async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(new RegistryClient({ url: registryUrl }).getBlob('app', missing)).rejects.toMatchObject({
      message: `blob ${missing}: 404 blob unknown to registry`,
      status: 404,
      code: 'BLOB_UNKNOWN',
    });
  });
});
