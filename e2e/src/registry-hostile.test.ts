import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from './registry-harness.js';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});

afterAll(() => registry?.stop());

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw request: the path goes on the wire exactly as given (fetch would normalise `..`). */
function send(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const [hostname, port] = registry.host.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port: Number(port), method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function code(answer: Answer): string {
  return (JSON.parse(answer.body) as { errors: Array<{ code: string }> }).errors[0]!.code;
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Every path under the storage root, to prove hostile names wrote nothing outside it (or anywhere). */
async function stored(): Promise<string[]> {
  return (await readdir(registry.dataRoot, { recursive: true }).catch(() => [])).map(String).sort();
}

describe('berth-registry under hostile input', () => {
  it('refuses hostile repository names with NAME_INVALID and stores nothing for them', async () => {
    const before = await stored();
    for (const name of ['../x', '..%2Fx', 'a/../../x', 'a'.repeat(300), 'Upper/Case']) {
      const answer = await send('POST', `/v2/${name}/blobs/uploads/`);
      expect(answer.status, name).toBe(400);
      expect(code(answer), name).toBe('NAME_INVALID');
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses a 20 MB manifest with 413 SIZE_INVALID', async () => {
    const answer = await send('PUT', '/v2/big/manifests/latest', Buffer.alloc(20 * 1024 * 1024, 0x20), { 'Content-Type': OCI_MANIFEST });
    expect(answer.status).toBe(413);
    expect(code(answer)).toBe('SIZE_INVALID');
  });

  it('refuses a blob whose body does not match its digest with DIGEST_INVALID, and stores no blob', async () => {
    const claimed = sha256('what the client says');
    const answer = await send('POST', `/v2/liar/blobs/uploads/?digest=${claimed}`, 'what the client sends', { 'Content-Type': 'application/octet-stream' });
    expect(answer.status).toBe(400);
    expect(code(answer)).toBe('DIGEST_INVALID');
    expect((await send('HEAD', `/v2/liar/blobs/${claimed}`)).status).toBe(404);
  });

  it('refuses a chunk that overruns its Content-Range with 416, keeping what came before', async () => {
    const session = await send('POST', '/v2/chunks/blobs/uploads/');
    expect(session.status).toBe(202);
    const location = String(session.headers.location);
    expect((await send('PATCH', location, 'abc', { 'Content-Type': 'application/octet-stream', 'Content-Range': '0-2' })).status).toBe(202);
    const overrun = await send('PATCH', location, 'defghij', { 'Content-Type': 'application/octet-stream', 'Content-Range': '3-4' });
    expect(overrun.status).toBe(416);
    const status = await send('GET', location);
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-2');
    const done = await send('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${sha256('abcde')}`, 'de', { 'Content-Type': 'application/octet-stream' });
    expect(done.status).toBe(201);
  });

  it('keeps serving after all of it', async () => {
    const answer = await send('GET', '/v2/');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({});
  });
});
