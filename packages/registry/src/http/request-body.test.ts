import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryServer } from './registry-routes.js';
import { MemoryBackend, sha256 } from './test-support/memory-backend.js';

const OCTET = { 'content-type': 'application/octet-stream' };
let app: FastifyInstance;
let backend: MemoryBackend;
afterEach(() => app.close());

function serve(maxBlobBytes?: number): void {
  backend = new MemoryBackend();
  app = createRegistryServer(backend, { logLevel: 'silent', deleteEnabled: true, ...(maxBlobBytes !== undefined && { maxBlobBytes }) });
}

function code(res: { json(): unknown }): string {
  return (res.json() as { errors: { code: string }[] }).errors[0]!.code;
}

describe('request bodies', () => {
  it.each(['GET', 'HEAD'])('refuses a body on %s with 400 UNSUPPORTED', async (method) => {
    serve();
    const res = await app.inject({ method: method as 'GET', url: '/v2/app/manifests/latest', payload: 'unexpected', headers: OCTET });
    expect(res.statusCode).toBe(400);
    if (method === 'GET') expect(res.json()).toEqual({ errors: [{ code: 'UNSUPPORTED', message: 'a GET request takes no body', detail: { method: 'GET' } }] });
  });

  it('serves GET without a body, Content-Length 0 included, and DELETE with one, as Go', async () => {
    serve();
    expect((await app.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v2/', headers: { 'content-length': '0' } })).statusCode).toBe(200);
    const deletion = await app.inject({ method: 'DELETE', url: `/v2/app/manifests/${sha256('absent')}`, payload: '{}', headers: OCTET });
    expect(code(deletion)).toBe('MANIFEST_UNKNOWN');
  });

  it('refuses a monolithic blob over the limit with 413 SIZE_INVALID and keeps no session', async () => {
    serve(10);
    const blob = 'x'.repeat(11);
    const res = await app.inject({ method: 'POST', url: `/v2/app/blobs/uploads/?digest=${sha256(blob)}`, payload: blob, headers: OCTET });
    expect(res.statusCode).toBe(413);
    expect(code(res)).toBe('SIZE_INVALID');
    const fits = 'x'.repeat(10);
    expect((await app.inject({ method: 'POST', url: `/v2/app/blobs/uploads/?digest=${sha256(fits)}`, payload: fits, headers: OCTET })).statusCode).toBe(201);
  });

  it('counts the chunks already uploaded, and cancels the session that passes the limit', async () => {
    serve(10);
    const session = await app.inject({ method: 'POST', url: '/v2/app/blobs/uploads/' });
    const location = String(session.headers.location);
    expect((await app.inject({ method: 'PATCH', url: location, payload: 'abcdef', headers: OCTET })).statusCode).toBe(202);
    const over = await app.inject({ method: 'PATCH', url: location, payload: 'ghijk', headers: { ...OCTET, 'content-range': '6-10' } });
    expect(over.statusCode).toBe(413);
    expect(code(over)).toBe('SIZE_INVALID');
    expect(code(await app.inject({ method: 'GET', url: location }))).toBe('BLOB_UPLOAD_UNKNOWN');
  });
});
