import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthClient } from '@berth/client';
import { busyboxArchive, run, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTH, BERTHD } from './paths.js';
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
  /** berth with the same environment as the docker CLI: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG. */
  let berth: (args: string[], input?: string) => ReturnType<typeof run>;
  /** berth with only a config directory: the daemon must come from flags or a context. */
  let bare: (args: string[]) => ReturnType<typeof run>;
  let clientDir: string;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'berth-tls-api-'));
    await makeCertificates(certs);
    // The docker CLI's DOCKER_CERT_PATH layout: ca.pem, cert.pem, key.pem.
    const client = join(certs, 'client-dir');
    clientDir = client;
    await mkdir(client);
    await copyFile(join(certs, 'ca.pem'), join(client, 'ca.pem'));
    await copyFile(join(certs, 'client.pem'), join(client, 'cert.pem'));
    await copyFile(join(certs, 'client.key'), join(client, 'key.pem'));
    port = await freePort();
    daemon = await startTestDaemon(['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server.key')]);
    expect((await daemon.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: client, DOCKER_CONFIG: join(certs, 'docker-config') };
    docker = (args, input) => run('docker', args, { env, ...(input !== undefined && { input }) });
    berth = (args, input) => run(process.execPath, [BERTH, ...args], { env, ...(input !== undefined && { input }) });
    const bareEnv = { DOCKER_HOST: '', BERTH_HOST: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', DOCKER_CONFIG: join(certs, 'bare-config') };
    bare = (args) => run(process.execPath, [BERTH, ...args], { env: bareEnv });
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

  it('serves berth with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, attached streams included', async () => {
    const version = await berth(['version', '--format', '{{.Server.APIVersion}}']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe('1.47');
    const ran = await berth(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo over-tls'], 'stdin in\n');
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('stdin in\nover-tls\n');
  });

  it('serves berth with the --tlsverify flags, and refuses it without a client certificate or with another CA', async () => {
    const host = `tcp://127.0.0.1:${port}`;
    const flags = ['--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'client.pem'), '--tlskey', join(certs, 'client.key'), '-H', host];
    const listed = await bare([...flags, 'ps', '-a', '--format', '{{.Names}}']);
    expect(listed.code, listed.stderr).toBe(0);
    const withoutCertificate = await bare(['--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '-H', host, 'version']);
    expect(withoutCertificate.code).toBe(1);
    // The daemon's certificate is signed by the test CA, not by one the system trusts.
    const untrusted = await bare(['--tlsverify', '--tlscert', join(certs, 'client.pem'), '--tlskey', join(certs, 'client.key'), '--tlscacert', join(certs, 'client.pem'), '-H', host, 'version']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
    // --tls alone encrypts without checking the daemon (docker's meaning): a CA that did not sign it does not matter,
    // though docker, and berth, still read the CA file.
    const encryptedOnly = await bare(['--tls', '--tlscacert', join(certs, 'client.pem'), '--tlscert', join(certs, 'client.pem'), '--tlskey', join(certs, 'client.key'), '-H', host, 'version', '--format', '{{.Server.APIVersion}}']);
    expect(encryptedOnly.stdout.trim(), encryptedOnly.stderr).toBe('1.47');
    const missing = await bare(['--tlsverify', '--tlscacert', join(certs, 'no-such.pem'), '-H', host, 'version']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`Failed to initialize: unable to resolve docker endpoint: open ${join(certs, 'no-such.pem')}: no such file or directory\n`);
  });

  it('reaches the daemon through a context holding TLS material, shared with the docker CLI both ways', async () => {
    const host = `tcp://127.0.0.1:${port}`;
    const created = await bare(['context', 'create', 'tls-ctx', '--description', 'over TLS', '--docker', `host=${host},ca=${join(clientDir, 'ca.pem')},cert=${join(clientDir, 'cert.pem')},key=${join(clientDir, 'key.pem')}`]);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: 'tls-ctx\n', stderr: 'Successfully created context "tls-ctx"\n' });
    const viaFlag = await bare(['--context', 'tls-ctx', 'version', '--format', '{{.Server.APIVersion}}']);
    expect(viaFlag.stdout.trim(), viaFlag.stderr).toBe('1.47');
    const dockerEnv = { DOCKER_HOST: '', DOCKER_CONFIG: join(certs, 'bare-config') };
    const dockerReads = await run('docker', ['--context', 'tls-ctx', 'version', '--format', '{{.Server.APIVersion}}'], { env: dockerEnv });
    expect(dockerReads.stdout.trim(), dockerReads.stderr).toBe('1.47');
    // `context use` is recorded in config.json, where docker reads it; a context docker made works for berth.
    expect((await bare(['context', 'use', 'tls-ctx'])).code).toBe(0);
    const current = await run('docker', ['context', 'show'], { env: dockerEnv });
    expect(current.stdout).toBe('tls-ctx\n');
    const dockerMade = await run('docker', ['context', 'create', 'made-by-docker', '--docker', `host=${host},ca=${join(clientDir, 'ca.pem')},cert=${join(clientDir, 'cert.pem')},key=${join(clientDir, 'key.pem')}`], { env: dockerEnv });
    expect(dockerMade.code, dockerMade.stderr).toBe(0);
    const ran = await bare(['--context', 'made-by-docker', 'run', '--rm', 'busybox', 'echo', 'through docker context']);
    expect(ran.stdout, ran.stderr).toBe('through docker context\n');
    const plain = await bare(['version', '--format', '{{.Server.APIVersion}}']);
    expect(plain.stdout.trim(), plain.stderr).toBe('1.47');
    // An exported context carries its TLS material: docker imports berth's export, berth imports docker's.
    const exported = join(certs, 'tls-ctx.tar');
    expect((await bare(['context', 'export', 'tls-ctx', exported])).stderr).toBe(`Written file "${exported}"\n`);
    expect((await run('docker', ['context', 'import', 'imported-by-docker', exported], { env: dockerEnv })).code).toBe(0);
    const viaImport = await run('docker', ['--context', 'imported-by-docker', 'version', '--format', '{{.Server.APIVersion}}'], { env: dockerEnv });
    expect(viaImport.stdout.trim(), viaImport.stderr).toBe('1.47');
    const dockerExport = join(certs, 'docker-export.tar');
    expect((await run('docker', ['context', 'export', 'made-by-docker', dockerExport], { env: dockerEnv })).code).toBe(0);
    expect((await bare(['context', 'import', 'imported-by-berth', dockerExport])).code).toBe(0);
    const berthImport = await bare(['--context', 'imported-by-berth', 'version', '--format', '{{.Server.APIVersion}}']);
    expect(berthImport.stdout.trim(), berthImport.stderr).toBe('1.47');
    expect((await bare(['context', 'rm', '-f', 'tls-ctx', 'made-by-docker', 'imported-by-docker', 'imported-by-berth'])).code).toBe(0);
    expect((await run('docker', ['context', 'show'], { env: dockerEnv })).stdout).toBe('default\n');
  });

  it('serves the BerthClient library with TLS options, and refuses it without a certificate', async () => {
    const ca = await readFile(join(certs, 'ca.pem'));
    const client = new BerthClient({ host: `tcp://127.0.0.1:${port}`, tls: { ca, cert: await readFile(join(certs, 'client.pem')), key: await readFile(join(certs, 'client.key')), verify: true } });
    try {
      expect((await client.version()).ApiVersion).toBe('1.47');
      expect(Array.isArray(await client.listImages())).toBe(true);
    } finally {
      client.close();
    }
    const refused = new BerthClient({ host: `tcp://127.0.0.1:${port}`, tls: { ca, verify: true } });
    try {
      await expect(refused.version()).rejects.toThrow();
    } finally {
      refused.close();
    }
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
