import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTHD } from './paths.js';
import { freePort } from './registry-harness.js';
import { makeCertificates } from './registry-tls.js';

/** A GET of /_ping over TLS on loopback: the status, or the handshake's refusal. */
function tlsPing(port: number, client: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/_ping', agent: false, ...client }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the API on TCP with --tlsverify', () => {
  let certs: string;
  let port: number;
  let daemon: TestDaemon;
  let docker: (args: string[], input?: string) => ReturnType<typeof run>;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'berth-tls-api-'));
    await makeCertificates(certs);
    // The docker CLI's DOCKER_CERT_PATH layout: ca.pem, cert.pem, key.pem.
    const client = join(certs, 'client-dir');
    await mkdir(client);
    await copyFile(join(certs, 'ca.pem'), join(client, 'ca.pem'));
    await copyFile(join(certs, 'client.pem'), join(client, 'cert.pem'));
    await copyFile(join(certs, 'client.key'), join(client, 'key.pem'));
    port = await freePort();
    daemon = await startTestDaemon(['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server.key')]);
    expect((await daemon.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: client, DOCKER_CONFIG: join(certs, 'docker-config') };
    docker = (args, input) => run('docker', args, { env, ...(input !== undefined && { input }) });
  }, 60_000);
  afterAll(async () => {
    await daemon?.cleanup();
    await rm(certs, { recursive: true, force: true });
  });

  it('serves the docker CLI with DOCKER_TLS_VERIFY, attached streams included', async () => {
    const version = await docker(['version', '--format', '{{.Server.APIVersion}}']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe('1.47');
    const ran = await docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo over-tls'], 'stdin in\n');
    expect(ran.stdout).toBe('stdin in\nover-tls\n');
    expect(await tlsPing(port, { ca: await readFile(join(certs, 'ca.pem')), cert: await readFile(join(certs, 'client.pem')), key: await readFile(join(certs, 'client.key')) })).toBe(200);
  });

  it('refuses a client without a certificate at the handshake', async () => {
    await expect(tlsPing(port, { ca: await readFile(join(certs, 'ca.pem')) })).rejects.toThrow();
    // The daemon goes on serving those that have one.
    expect((await docker(['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  });
});

describe('the API on TCP without client verification', () => {
  it('is refused at start unless --insecure-tcp accepts it, which warns', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-tcp-'));
    try {
      const args = ['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--bridge=none', '-H', `unix://${join(root, 'b.sock')}`, '-H', `tcp://127.0.0.1:${await freePort()}`];
      const refused = await run(process.execPath, [BERTHD, ...args]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^berthd: refusing to listen on tcp:\/\/127\.0\.0\.1:\d+: plain TCP gives root on this host to anyone who can reach the port; use --tlsverify with --tlscacert, --tlscert and --tlskey, or accept the risk with --insecure-tcp\n$/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    const port = await freePort();
    const daemon = await startTestDaemon(['-H', `tcp://127.0.0.1:${port}`, '--insecure-tcp'], { logToFile: true });
    try {
      const version = await run('docker', ['version', '--format', '{{.Server.APIVersion}}'], { env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_CONFIG: join(daemon.root, 'docker-config') } });
      expect(version.stdout.trim()).toBe('1.47');
      expect(await readFile(daemon.logPath, 'utf8')).toContain(`the API on tcp://127.0.0.1:${port} has no client verification (--insecure-tcp): anyone who can reach it is root on this host`);
    } finally {
      await daemon.cleanup();
    }
  });
});
