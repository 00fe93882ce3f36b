import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClientError, isTransient } from './registry-client-error.js';
import { RegistryClient } from './registry-client.js';
import { withProgress } from './progress-counter.js';

// A registry on loopback whose answer to the streamed PATCH is the test's: the client's handling of it is what is under test.
let patchStatus: number;
/** The registry drops the connection once the PATCH has brought this many bytes. */
let cutPatchAfter: number | undefined;
/** Called as the registry cuts the connection. */
let onCut: () => void;
let server: Server;
let url: string;
const seen: string[] = [];

beforeEach(async () => {
  seen.length = 0;
  patchStatus = 202;
  cutPatchAfter = undefined;
  onCut = () => undefined;
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'PATCH' && cutPatchAfter !== undefined) {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < cutPatchAfter!) return;
        onCut();
        req.socket.destroy();
      });
      return;
    }
    if (req.method === 'POST') return res.writeHead(202, { location: '/v2/app/blobs/uploads/u1' }).end();
    if (req.method === 'PATCH' && patchStatus !== 202) return res.writeHead(patchStatus, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"no"}]}');
    req.resume();
    req.on('end', () => res.writeHead(req.method === 'PUT' ? 201 : 202, { location: '/v2/app/blobs/uploads/u1?_state=next' }).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('RegistryClient.uploadStream', () => {
  it('streams the content in one PATCH, then names its digest in the PUT', async () => {
    await new RegistryClient({ url }).uploadStream('app', Readable.from([Buffer.from('layer bytes')]), () => 'sha256:abc');
    expect(seen).toEqual(['POST /v2/app/blobs/uploads/', 'PATCH /v2/app/blobs/uploads/u1', 'PUT /v2/app/blobs/uploads/u1?_state=next&digest=sha256%3Aabc']);
  });

  it('closes the content when the registry refuses the PATCH early', async () => {
    patchStatus = 400;
    const content = new PassThrough();
    content.write(Buffer.alloc(64 * 1024));
    const upload = new RegistryClient({ url }).uploadStream('app', content, () => 'sha256:abc');
    await expect(upload).rejects.toBeInstanceOf(RegistryClientError);
    expect(content.destroyed).toBe(true);
  });

  it("reports the content's own failure, not the registry's", async () => {
    const content = new PassThrough();
    content.write(Buffer.alloc(1024));
    setTimeout(() => content.destroy(new Error('EIO: i/o error, read')), 20);
    await expect(new RegistryClient({ url }).uploadStream('app', content, () => 'sha256:abc')).rejects.toThrow(/^EIO: i\/o error, read$/);
  });

  it('reports a connection the registry cut mid-upload as a transient failure (the push tries again), not an abort of the content', async () => {
    cutPatchAfter = 256 * 1024;
    const content = new PassThrough();
    // What fetch's reader leaves when the request fails before it has read the content to its end (it stops iterating
    // it, which destroys it with an AbortError): whether it has done so when the failure arrives depends on timing.
    onCut = () => content.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    const feed = setInterval(() => content.write(Buffer.alloc(64 * 1024)), 1);
    try {
      const failure = await new RegistryClient({ url }).uploadStream('app', content, () => 'sha256:abc').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(RegistryClientError);
      expect(isTransient(failure)).toBe(true);
      expect(content.destroyed).toBe(true);
    } finally {
      clearInterval(feed);
    }
  });

  it('reports a failure of the content before the upload session has started, not an uncaught error', async () => {
    const content = new PassThrough();
    const upload = new RegistryClient({ url }).uploadStream('app', content, () => 'sha256:abc');
    content.destroy(new Error('EIO: i/o error, read'));
    await expect(upload).rejects.toThrow(/^EIO: i\/o error, read$/);
  });
});

describe('withProgress', () => {
  it('closes its source when its reader stops early', async () => {
    const source = new PassThrough();
    const counted = withProgress(source, 10, 'Pushing', 'id', () => undefined);
    counted.destroy();
    await once(counted, 'close');
    expect(source.destroyed).toBe(true);
  });
});
