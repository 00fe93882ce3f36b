import { readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run } from './harness.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await run('sh', ['-c', `cd "${cwd}" && openssl "$@"`, 'openssl', ...args]);
  expect(result.code, `openssl ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed, as PEM files in `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth test CA'], dir);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext], dir);
  }
}

export interface TlsClient {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** A GET over HTTPS: the status, or the handshake's error. */
export function httpsGet(host: string, path: string, client: TlsClient): Promise<number> {
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

/** A client trusting the test CA of `work`, with the client certificate it signed when `withCertificate`. */
export async function tlsClient(work: string, withCertificate: boolean): Promise<TlsClient> {
  const ca = await readFile(join(work, 'ca.pem'));
  return withCertificate ? { ca, cert: await readFile(join(work, 'client.pem')), key: await readFile(join(work, 'client.key')) } : { ca };
}

/** A registry with `http.tls` (and `clientcas` when `clientCAs`), its certificates made in its temp dir. */
export async function startTlsRegistry(clientCAs: boolean): Promise<TestRegistry> {
  let work = '';
  return startRegistry(() => '', {
    http: async (_host, dir) => {
      work = dir;
      await makeCertificates(dir);
      const cas = clientCAs ? `    clientcas:\n      - ${join(dir, 'ca.pem')}\n` : '';
      return `  tls:\n    certificate: ${join(dir, 'server.pem')}\n    key: ${join(dir, 'server.key')}\n${cas}`;
    },
    answers: async (host) => httpsGet(host, '/v2/', await tlsClient(work, clientCAs)).then(() => true, () => false),
  });
}
