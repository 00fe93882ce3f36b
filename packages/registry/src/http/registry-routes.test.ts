import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../registry-error.js';
import { createRegistryServer } from './registry-routes.js';
import { MemoryBackend, sha256 } from './test-support/memory-backend.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCTET = { 'content-type': 'application/octet-stream' };

let backend: MemoryBackend;
let app: FastifyInstance;

beforeEach(() => {
  backend = new MemoryBackend();
  app = createRegistryServer(backend, { deleteEnabled: true, logLevel: 'silent', maxManifestBytes: 1024 });
});
afterEach(() => app.close());

async function pushBlob(name: string, data: string): Promise<string> {
  const digest = sha256(data);
  const res = await app.inject({ method: 'POST', url: `/v2/${name}/blobs/uploads/?digest=${digest}`, headers: OCTET, payload: data });
  expect(res.statusCode).toBe(201);
  return digest;
}

async function pushManifest(name: string, reference: string, extra: object = {}): Promise<{ digest: string; body: string }> {
  const config = await pushBlob(name, '{}');
  const layer = await pushBlob(name, 'layer');
  const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 5 }], ...extra });
  const res = await app.inject({ method: 'PUT', url: `/v2/${name}/manifests/${reference}`, headers: { 'content-type': OCI_MANIFEST }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return { digest: sha256(body), body };
}

function errorCode(res: { json(): unknown }): string {
  return (res.json() as { errors: { code: string }[] }).errors[0]!.code;
}

describe('base and errors', () => {
  it('answers /v2/ with {} and the API version header', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('answers unknown paths 404 in the spec shape, inside and outside /v2/', async () => {
    for (const url of ['/v2/library/busybox/nothing', '/elsewhere']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ errors: [{ code: 'NOT_FOUND', message: 'page not found' }] });
    }
  });

  it('refuses a method an endpoint lacks with UNSUPPORTED 405', async () => {
    const res = await app.inject({ method: 'POST', url: '/v2/a/tags/list' });
    expect(res.statusCode).toBe(405);
    expect(errorCode(res)).toBe('UNSUPPORTED');
  });

  it('refuses invalid names and digests', async () => {
    for (const name of ['UPPER/case', '..%2Fx', 'a'.repeat(256), 'a//b']) {
      const res = await app.inject({ method: 'GET', url: `/v2/${name}/tags/list` });
      expect(res.statusCode, name).toBe(400);
      expect(errorCode(res)).toBe('NAME_INVALID');
    }
    const res = await app.inject({ method: 'GET', url: '/v2/a/blobs/sha256:xyz' });
    expect(res.statusCode).toBe(400);
    expect(errorCode(res)).toBe('DIGEST_INVALID');
  });

  it('answers a backend failure 500 UNKNOWN and keeps serving', async () => {
    backend.repositories = () => Promise.reject(new Error('disk on fire'));
    const res = await app.inject({ method: 'GET', url: '/v2/_catalog' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ errors: [{ code: 'UNKNOWN', message: 'unknown error' }] });
    expect((await app.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
  });
});

describe('blobs', () => {
  it('serves HEAD and GET with digest, length and type', async () => {
    const digest = await pushBlob('library/busybox', 'hello world');
    const head = await app.inject({ method: 'HEAD', url: `/v2/library/busybox/blobs/${digest}` });
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ 'docker-content-digest': digest, 'content-length': '11', 'content-type': 'application/octet-stream' });
    expect(head.body).toBe('');
    const get = await app.inject({ method: 'GET', url: `/v2/library/busybox/blobs/${digest}` });
    expect(get.body).toBe('hello world');
  });

  it('serves a Range with 206 and Content-Range, and 416 past the end', async () => {
    const digest = await pushBlob('a', 'hello world');
    const part = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}`, headers: { range: 'bytes=6-10' } });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('world');
    expect(part.headers).toMatchObject({ 'content-range': 'bytes 6-10/11', 'content-length': '5' });
    const open = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}`, headers: { range: 'bytes=4-' } });
    expect(open.body).toBe('o world');
    const suffix = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}`, headers: { range: 'bytes=-3' } });
    expect(suffix.body).toBe('rld');
    const beyond = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}`, headers: { range: 'bytes=11-20' } });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */11');
  });

  it('answers an unknown blob BLOB_UNKNOWN, with no body on HEAD', async () => {
    const digest = sha256('absent');
    const get = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}` });
    expect(get.statusCode).toBe(404);
    expect(errorCode(get)).toBe('BLOB_UNKNOWN');
    const head = await app.inject({ method: 'HEAD', url: `/v2/a/blobs/${digest}` });
    expect(head.statusCode).toBe(404);
    expect(head.body).toBe('');
  });

  it('deletes a blob with 202, and refuses deletion when it is disabled', async () => {
    const digest = await pushBlob('a', 'x');
    expect((await app.inject({ method: 'DELETE', url: `/v2/a/blobs/${digest}` })).statusCode).toBe(202);
    expect((await app.inject({ method: 'HEAD', url: `/v2/a/blobs/${digest}` })).statusCode).toBe(404);
    const locked = createRegistryServer(backend, { logLevel: 'silent' });
    const res = await locked.inject({ method: 'DELETE', url: `/v2/a/blobs/${digest}` });
    expect(res.statusCode).toBe(405);
    expect(errorCode(res)).toBe('UNSUPPORTED');
    await locked.close();
  });
});

describe('a blob deleted between its stat and its read', () => {
  it('is answered BLOB_UNKNOWN with a body of its own length, none of the blob\'s headers', async () => {
    const digest = await pushBlob('a', 'going');
    backend.readBlob = async () => {
      throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    };
    const res = await app.inject({ method: 'GET', url: `/v2/a/blobs/${digest}`, headers: { range: 'bytes=0-2' } });
    expect(res.statusCode).toBe(404);
    expect(errorCode(res)).toBe('BLOB_UNKNOWN');
    expect(res.headers['docker-content-digest']).toBeUndefined();
    expect(res.headers['content-range']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
  });
});

describe('uploads', () => {
  it('runs a chunked upload: POST, PATCH with Content-Range, status, PUT with a last chunk', async () => {
    const start = await app.inject({ method: 'POST', url: '/v2/a/b/blobs/uploads/' });
    expect(start.statusCode).toBe(202);
    const location = start.headers.location as string;
    const id = start.headers['docker-upload-uuid'];
    expect(location).toBe(`/v2/a/b/blobs/uploads/${id}`);
    expect(start.headers.range).toBe('0-0');
    const first = await app.inject({ method: 'PATCH', url: location, headers: { ...OCTET, 'content-range': '0-4' }, payload: 'hello' });
    expect(first.statusCode).toBe(202);
    expect(first.headers.range).toBe('0-4');
    const status = await app.inject({ method: 'GET', url: location });
    expect(status.statusCode).toBe(204);
    expect(status.headers).toMatchObject({ range: '0-4', 'docker-upload-uuid': id, location });
    const stream = await app.inject({ method: 'PATCH', url: location, payload: Readable.from([Buffer.from(' wor')]) });
    expect(stream.headers.range).toBe('0-8');
    const digest = sha256('hello world');
    const done = await app.inject({ method: 'PUT', url: `${location}?digest=${digest}`, headers: OCTET, payload: 'ld' });
    expect(done.statusCode).toBe(201);
    expect(done.headers).toMatchObject({ location: `/v2/a/b/blobs/${digest}`, 'docker-content-digest': digest });
    expect((await app.inject({ method: 'GET', url: `/v2/a/b/blobs/${digest}` })).body).toBe('hello world');
  });

  it('answers an out-of-order chunk, or one longer than its Content-Range, 416', async () => {
    const { headers } = await app.inject({ method: 'POST', url: '/v2/a/blobs/uploads/' });
    const location = headers.location as string;
    await app.inject({ method: 'PATCH', url: location, headers: { ...OCTET, 'content-range': '0-2' }, payload: 'abc' });
    const gap = await app.inject({ method: 'PATCH', url: location, headers: { ...OCTET, 'content-range': '5-7' }, payload: 'fgh' });
    expect(gap.statusCode).toBe(416);
    expect(errorCode(gap)).toBe('RANGE_INVALID');
    const overrun = await app.inject({ method: 'PATCH', url: location, headers: { ...OCTET, 'content-range': '3-4' }, payload: 'defgh' });
    expect(overrun.statusCode).toBe(416);
    const streamed = await app.inject({ method: 'PATCH', url: location, headers: { ...OCTET, 'content-range': '3-4', 'transfer-encoding': 'chunked' }, payload: Readable.from([Buffer.from('defgh')]) });
    expect(streamed.statusCode).toBe(416);
    expect((await app.inject({ method: 'GET', url: location })).headers.range).toBe('0-2');
  });

  it('keeps the session on a digest mismatch, and cancels with 204', async () => {
    const { headers } = await app.inject({ method: 'POST', url: '/v2/a/blobs/uploads/' });
    const location = headers.location as string;
    const wrong = await app.inject({ method: 'PUT', url: `${location}?digest=${sha256('other')}`, headers: OCTET, payload: 'data' });
    expect(wrong.statusCode).toBe(400);
    expect(errorCode(wrong)).toBe('DIGEST_INVALID');
    const missing = await app.inject({ method: 'PUT', url: location });
    expect(errorCode(missing)).toBe('DIGEST_INVALID');
    expect((await app.inject({ method: 'GET', url: location })).headers.range).toBe('0-3');
    expect((await app.inject({ method: 'DELETE', url: location })).statusCode).toBe(204);
    const gone = await app.inject({ method: 'GET', url: location });
    expect(gone.statusCode).toBe(404);
    expect(errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses a monolithic POST whose body does not match its digest, leaving no session', async () => {
    const res = await app.inject({ method: 'POST', url: `/v2/a/blobs/uploads/?digest=${sha256('x')}`, headers: OCTET, payload: 'y' });
    expect(res.statusCode).toBe(400);
    expect(errorCode(res)).toBe('DIGEST_INVALID');
    expect(backend.openUploads).toBe(0);
  });

  it('mounts a blob from another repository (201), or opens a session when it lacks it (202)', async () => {
    const digest = await pushBlob('source', 'shared');
    const mounted = await app.inject({ method: 'POST', url: `/v2/target/blobs/uploads/?mount=${digest}&from=source` });
    expect(mounted.statusCode).toBe(201);
    expect(mounted.headers).toMatchObject({ location: `/v2/target/blobs/${digest}`, 'docker-content-digest': digest });
    const fallback = await app.inject({ method: 'POST', url: `/v2/target/blobs/uploads/?mount=${sha256('nope')}&from=source` });
    expect(fallback.statusCode).toBe(202);
    expect(fallback.headers['docker-upload-uuid']).toBeTruthy();
  });
});

describe('manifests', () => {
  it('stores by tag and serves GET and HEAD by tag and digest as stored', async () => {
    const { digest, body } = await pushManifest('library/busybox', 'latest');
    for (const reference of ['latest', digest]) {
      const get = await app.inject({ method: 'GET', url: `/v2/library/busybox/manifests/${reference}`, headers: { accept: OCI_MANIFEST } });
      expect(get.statusCode).toBe(200);
      expect(get.body).toBe(body);
      expect(get.headers).toMatchObject({ 'content-type': OCI_MANIFEST, 'docker-content-digest': digest, 'content-length': String(body.length) });
      const head = await app.inject({ method: 'HEAD', url: `/v2/library/busybox/manifests/${reference}` });
      expect(head.headers['content-length']).toBe(String(body.length));
      expect(head.body).toBe('');
    }
  });

  it('answers PUT 201 with Location and digest, and OCI-Subject for a referrer', async () => {
    const { digest: subject } = await pushManifest('a', 'v1');
    const config = await pushBlob('a', '{}');
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/sbom', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: config, size: 2 }, layers: [], subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 } });
    const res = await app.inject({ method: 'PUT', url: `/v2/a/manifests/${sha256(body)}`, headers: { 'content-type': OCI_MANIFEST }, payload: body });
    expect(res.statusCode).toBe(201);
    expect(res.headers).toMatchObject({ location: `/v2/a/manifests/${sha256(body)}`, 'docker-content-digest': sha256(body), 'oci-subject': subject });
  });

  it('refuses a manifest over the size limit with 413, and bad tags and missing blobs with their codes', async () => {
    const big = await app.inject({ method: 'PUT', url: '/v2/a/manifests/big', headers: { 'content-type': OCI_MANIFEST }, payload: 'x'.repeat(2048) });
    expect(big.statusCode).toBe(413);
    expect(errorCode(big)).toBe('SIZE_INVALID');
    const streamed = await app.inject({ method: 'PUT', url: '/v2/a/manifests/big', headers: { 'content-type': OCI_MANIFEST, 'transfer-encoding': 'chunked' }, payload: Readable.from([Buffer.alloc(800), Buffer.alloc(800)]) });
    expect(streamed.statusCode).toBe(413);
    const badTag = await app.inject({ method: 'PUT', url: '/v2/a/manifests/-bad', headers: { 'content-type': OCI_MANIFEST }, payload: '{}' });
    expect(errorCode(badTag)).toBe('TAG_INVALID');
    const orphan = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: sha256('none'), size: 1 }, layers: [] });
    const missing = await app.inject({ method: 'PUT', url: '/v2/a/manifests/t', headers: { 'content-type': OCI_MANIFEST }, payload: orphan });
    expect(missing.statusCode).toBe(400);
    expect(errorCode(missing)).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('takes the media type from the manifest when Content-Type is absent', async () => {
    const config = await pushBlob('a', '{}');
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: config, size: 2 }, layers: [] });
    expect((await app.inject({ method: 'PUT', url: '/v2/a/manifests/t', payload: body })).statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/v2/a/manifests/t' })).headers['content-type']).toBe(OCI_MANIFEST);
  });

  it('answers MANIFEST_UNKNOWN for an index the Accept header excludes', async () => {
    const { digest } = await pushManifest('a', 'child');
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest, size: 1 }] });
    expect((await app.inject({ method: 'PUT', url: '/v2/a/manifests/multi', headers: { 'content-type': OCI_INDEX }, payload: index })).statusCode).toBe(201);
    const schema2Only = await app.inject({ method: 'GET', url: '/v2/a/manifests/multi', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    expect(schema2Only.statusCode).toBe(404);
    expect(errorCode(schema2Only)).toBe('MANIFEST_UNKNOWN');
    const accepting = await app.inject({ method: 'GET', url: '/v2/a/manifests/multi', headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX};q=0.9` } });
    expect(accepting.headers['content-type']).toBe(OCI_INDEX);
    expect((await app.inject({ method: 'GET', url: '/v2/a/manifests/multi' })).statusCode).toBe(200);
  });

  it('deletes by tag and by digest with 202; absent ones are MANIFEST_UNKNOWN', async () => {
    const { digest } = await pushManifest('a', 'v1');
    expect((await app.inject({ method: 'DELETE', url: '/v2/a/manifests/v1' })).statusCode).toBe(202);
    expect((await app.inject({ method: 'DELETE', url: `/v2/a/manifests/${digest}` })).statusCode).toBe(202);
    const res = await app.inject({ method: 'GET', url: `/v2/a/manifests/${digest}` });
    expect(res.statusCode).toBe(404);
    expect(errorCode(res)).toBe('MANIFEST_UNKNOWN');
  });
});

describe('listings', () => {
  it('pages tags with n and last and a Link to the next page', async () => {
    for (const tag of ['c', 'a', 'b']) await pushManifest('repo', tag);
    const first = await app.inject({ method: 'GET', url: '/v2/repo/tags/list?n=2' });
    expect(first.json()).toEqual({ name: 'repo', tags: ['a', 'b'] });
    expect(first.headers.link).toBe('</v2/repo/tags/list?last=b&n=2>; rel="next"');
    const second = await app.inject({ method: 'GET', url: '/v2/repo/tags/list?last=b&n=2' });
    expect(second.json()).toEqual({ name: 'repo', tags: ['c'] });
    expect(second.headers.link).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/v2/repo/tags/list' })).json().tags).toEqual(['a', 'b', 'c']);
    const bad = await app.inject({ method: 'GET', url: '/v2/repo/tags/list?n=-1' });
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad)).toBe('PAGINATION_NUMBER_INVALID');
    const unknown = await app.inject({ method: 'GET', url: '/v2/nobody/tags/list' });
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('NAME_UNKNOWN');
  });

  it('pages the catalog', async () => {
    for (const name of ['x/one', 'x/two', 'y']) await pushBlob(name, name);
    const first = await app.inject({ method: 'GET', url: '/v2/_catalog?n=1' });
    expect(first.json()).toEqual({ repositories: ['x/one'] });
    expect(first.headers.link).toBe('</v2/_catalog?last=x%2Fone&n=1>; rel="next"');
    expect((await app.inject({ method: 'GET', url: '/v2/_catalog?last=x%2Fone' })).json()).toEqual({ repositories: ['x/two', 'y'] });
  });

  it('lists referrers as an OCI index, filtered by artifactType', async () => {
    const { digest: subject } = await pushManifest('a', 'v1');
    await pushManifest('a', 'sbom', { artifactType: 'application/sbom', subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 } });
    await pushManifest('a', 'sig', { artifactType: 'application/sig', subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 } });
    const all = await app.inject({ method: 'GET', url: `/v2/a/referrers/${subject}` });
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toBe(OCI_INDEX);
    expect(all.headers['oci-filters-applied']).toBeUndefined();
    expect(all.json()).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX });
    expect(all.json().manifests.map((d: { artifactType: string }) => d.artifactType).sort()).toEqual(['application/sbom', 'application/sig']);
    const filtered = await app.inject({ method: 'GET', url: `/v2/a/referrers/${subject}?artifactType=application/sig` });
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(filtered.json().manifests).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: `/v2/a/referrers/${sha256('none')}` })).json().manifests).toEqual([]);
  });
});
