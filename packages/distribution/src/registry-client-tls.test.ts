import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './registry-client.js';

const openssl = (args: string[], cwd: string) => promisify(execFile)('openssl', args, { cwd });

/** A real TLS server answering `/v2/`, with a certificate for 127.0.0.1 from a throw-away CA, asking for client certificates. */
describe('RegistryClient over TLS', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let pem: (name: string) => Promise<string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    pem = (name) => readFile(join(dir, name), 'utf8');
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth test CA'], dir);
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
      await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext], dir);
    }
    server = createServer({ cert: await pem('server.pem'), key: await pem('server.key'), ca: await pem('ca.pem'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      // The answer says whether the client presented the CA's certificate.
      const authorized = (req.socket as TLSSocket).authorized;
      res.writeHead(authorized ? 200 : 401, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a certificate it cannot verify', async () => {
    await expect(new RegistryClient({ url }).ping()).rejects.toThrow(/self-signed|unable to verify|certificate/);
  });

  it('verifies the server with extra CAs and presents a client certificate', async () => {
    await new RegistryClient({ url, tls: { ca: [await pem('ca.pem')] } }).ping();
    await expect(new RegistryClient({ url, tls: { ca: [await pem('ca.pem')] } }).login()).rejects.toThrow('failed with status: 401 Unauthorized');
    await new RegistryClient({ url, tls: { ca: [await pem('ca.pem')], cert: await pem('client.pem'), key: await pem('client.key') } }).login();
  });

  it('skips verification for an insecure registry', async () => {
    await new RegistryClient({ url, tls: { insecureSkipVerify: true } }).ping();
  });
});
