import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run } from './harness.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await run('sh', ['-c', `cd "${cwd}" && openssl "$@"`, 'openssl', ...args]);
  expect(result.code, `openssl ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed, as PEM files in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth test CA'], dir);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext], dir);
  }
}

/** The registry's `http.tls` lines, with the certificates made in its temp dir. */
function tlsConfig(clientCAs: boolean) {
  return async (_host: string, work: string): Promise<string> => {
    await makeCertificates(work);
    const cas = clientCAs ? `    clientcas:\n      - ${join(work, 'ca.pem')}\n` : '';
    return `  tls:\n    certificate: ${join(work, 'server.pem')}\n    key: ${join(work, 'server.key')}\n${cas}`;
  };
}

interface TlsClient {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** A GET over HTTPS: the status, or the handshake's error. */
function httpsGet(host: string, path: string, client: TlsClient): Promise<number> {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname, port: Number(port), path, ...client, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function trusting(work: string): Promise<TlsClient> {
  return { ca: await readFile(join(work, 'ca.pem')) };
}

const answersHttps = (work: () => string) => async (host: string) => httpsGet(host, '/v2/', await trusting(work())).then(() => true, () => false);

describe('berth-registry over TLS (http.tls)', () => {
  let registry: TestRegistry;
  let work = '';

  beforeAll(async () => {
    registry = await startRegistry(() => '', {
      http: async (host, dir) => {
        work = dir;
        return tlsConfig(false)(host, dir);
      },
      answers: answersHttps(() => work),
    });
  });
  afterAll(() => registry?.stop());

  it('takes a push from skopeo that trusts the CA (--dest-cert-dir) and answers HTTPS', async () => {
    const certDir = join(work, 'skopeo-certs');
    await mkdir(certDir);
    await copyFile(join(work, 'ca.pem'), join(certDir, 'ca.crt'));
    const push = await run('skopeo', ['copy', '--dest-cert-dir', certDir, `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/library/busybox:tls`]);
    expect(push.code, push.stderr).toBe(0);
    expect(await httpsGet(registry.host, '/v2/library/busybox/manifests/tls', await trusting(work))).toBe(200);
  });

  it('refuses a client that does not trust its certificate, and plain HTTP', async () => {
    await expect(httpsGet(registry.host, '/v2/', { ca: Buffer.from('') })).rejects.toThrow();
    await expect(fetch(`http://${registry.host}/v2/`)).rejects.toThrow();
    const skopeo = await run('skopeo', ['inspect', `docker://${registry.host}/library/busybox:tls`]);
    expect(skopeo.code).not.toBe(0);
    expect(skopeo.stderr).toMatch(/certificate/);
  });
});

describe('berth-registry requiring client certificates (http.tls.clientcas)', () => {
  let registry: TestRegistry;
  let work = '';

  beforeAll(async () => {
    registry = await startRegistry(() => '', {
      http: async (host, dir) => {
        work = dir;
        return tlsConfig(true)(host, dir);
      },
      answers: async (host) => httpsGet(host, '/v2/', { ...(await trusting(work)), cert: await readFile(join(work, 'client.pem')), key: await readFile(join(work, 'client.key')) }).then(() => true, () => false),
    });
  });
  afterAll(() => registry?.stop());

  it('refuses a client without a certificate at the handshake', async () => {
    await expect(httpsGet(registry.host, '/v2/', await trusting(work))).rejects.toThrow();
    const curl = await run('curl', ['-sS', '--cacert', join(work, 'ca.pem'), `https://${registry.host}/v2/`]);
    expect(curl.code).not.toBe(0);
  });

  it('serves a client whose certificate the CA signed: node, curl and skopeo', async () => {
    const client = { ...(await trusting(work)), cert: await readFile(join(work, 'client.pem')), key: await readFile(join(work, 'client.key')) };
    expect(await httpsGet(registry.host, '/v2/', client)).toBe(200);
    const curl = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(work, 'ca.pem'), '--cert', join(work, 'client.pem'), '--key', join(work, 'client.key'), `https://${registry.host}/v2/`]);
    expect(curl.stdout).toBe('200');
    const certDir = join(work, 'skopeo-certs');
    await mkdir(certDir);
    await copyFile(join(work, 'ca.pem'), join(certDir, 'ca.crt'));
    await copyFile(join(work, 'client.pem'), join(certDir, 'client.cert'));
    await copyFile(join(work, 'client.key'), join(certDir, 'client.key'));
    const push = await run('skopeo', ['copy', '--dest-cert-dir', certDir, `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/library/busybox:mtls`]);
    expect(push.code, push.stderr).toBe(0);
  });
});

/** Resolves once `text` appears in what `read` returns (the registry's output). */
async function printed(read: () => string, text: string): Promise<void> {
  for (let attempt = 0; attempt < 300 && !read().includes(text); attempt++) await sleep(50);
  expect(read()).toContain(text);
}

/** Resolves once an upload's first bytes are in the registry's storage: the request is in flight. */
async function uploadStreaming(dataRoot: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const files = (await readdir(dataRoot, { recursive: true }).catch(() => [])).map(String);
    const data = files.filter((file) => file.includes('_uploads') && file.endsWith('/data'));
    const sizes = await Promise.all(data.map((file) => stat(join(dataRoot, file)).then((info) => info.size, () => 0)));
    if (sizes.some((size) => size > 0)) return;
    await sleep(50);
  }
  throw new Error('the upload did not reach the storage');
}

/** A monolithic blob upload whose body the test writes chunk by chunk; `answer` is its status, or the error that cut it. */
function streamedUpload(host: string, name: string, digest: string): { req: ClientRequest; answer: Promise<number> } {
  const [hostname, port] = host.split(':');
  const req = httpRequest({ hostname, port: Number(port), method: 'POST', path: `/v2/${name}/blobs/uploads/?digest=${digest}`, headers: { 'Content-Type': 'application/octet-stream' } });
  const answer = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  return { req, answer };
}

describe('berth-registry stopping (SIGTERM, http.draintimeout)', () => {
  const chunks = [Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(64 * 1024, 'b')];
  const digest = `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`;
  const stopped: TestRegistry[] = [];
  afterAll(async () => {
    for (const registry of stopped.reverse()) await registry.stop();
  });

  it('finishes an upload still streaming when SIGTERM comes, refuses new connections, exits 0, and keeps the blob', async () => {
    const registry = await startRegistry(() => '', { http: () => '  draintimeout: 60s\n' });
    stopped.push(registry);
    const upload = streamedUpload(registry.host, 'drain/app', digest);
    upload.req.write(chunks[0]);
    await uploadStreaming(registry.dataRoot);
    const exited = once(registry.child, 'exit');
    registry.child.kill('SIGTERM');
    await printed(registry.stderr, 'stopping: finishing the requests in flight');
    await expect(fetch(`http://${registry.host}/v2/`)).rejects.toThrow();
    upload.req.end(chunks[1]);
    expect(await upload.answer).toBe(201);
    expect(await exited).toEqual([0, null]);

    const restarted = await startRegistry(() => '', { dataRoot: registry.dataRoot });
    stopped.push(restarted);
    const head = await fetch(`http://${restarted.host}/v2/drain/app/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(128 * 1024));
  });

  it('cuts an upload that stalls past http.draintimeout and still exits 0', async () => {
    const registry = await startRegistry(() => '', { http: () => '  draintimeout: 300ms\n' });
    stopped.push(registry);
    const upload = streamedUpload(registry.host, 'drain/stalled', digest);
    upload.req.write(chunks[0]);
    await uploadStreaming(registry.dataRoot);
    const cut = expect(upload.answer).rejects.toThrow();
    const exited = once(registry.child, 'exit');
    registry.child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    await cut;
    expect(registry.stderr()).toContain('drain timeout reached');
  });
});
