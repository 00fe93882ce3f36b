import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_UNPATCHED_RUNC, busyboxArchive, run, runDetached, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTHD, PACKAGES_DIR } from './paths.js';
import { freePort } from './registry-harness.js';
import { rawExchange as exchangeRaw } from './raw-exchange.js';
import { makeCertificates } from './registry-tls.js';

const PLUGIN = 'berth-authz-example';
const PLUGIN_BIN = join(PACKAGES_DIR, 'daemon/dist/bin/berth-authz-example.js');
const DENIED = `authorization denied by plugin ${PLUGIN}`;

interface Decision {
  user: string;
  method: string;
  uri: string;
  allow: boolean;
  msg?: string;
}

/** The example plugin, run as an operator would, serving `socket`; its decisions, one JSON line each on its stdout. */
class ExamplePlugin {
  readonly decisions: Decision[] = [];
  private child?: ChildProcess;

  constructor(private readonly socket: string) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [PLUGIN_BIN, '--socket', this.socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) this.decisions.push(JSON.parse(line) as Decision);
    });
    // Up once it says so (it listens first), or failed once it exits: no deadline of the test's own.
    await new Promise<void>((resolve, reject) => {
      let said: string | undefined = '';
      const onExit = (code: number | null, signal: string | null) => reject(new Error(`the example plugin exited before serving (${code ?? signal}): ${said}`));
      child.once('exit', onExit);
      child.stderr!.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        if (said === undefined) return;
        said += chunk.toString();
        if (said.includes(`berth-authz-example serving on ${this.socket}\n`)) {
          said = undefined;
          child.off('exit', onExit);
          resolve();
        }
      });
    });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills it as a crash would: the socket file stays, nobody listens on it. */
  async crash(): Promise<void> {
    const child = this.child!;
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/**
 * Sends `request` as written over a unix socket (no client normalises its path) and reads the answer's
 * message; the client does not half-close, which would abort the request.
 */
async function rawExchange(socketPath: string, request: string): Promise<{ status: number; message: string }> {
  const answer = await exchangeRaw(socketPath, request, { deadlineMs: 60_000, wholeBody: true });
  return { status: answer.status, message: (JSON.parse(Buffer.from(answer.body, 'latin1').toString('utf8')) as { message: string }).message };
}

function post(path: string, body: unknown): string {
  const json = JSON.stringify(body);
  return `POST ${path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
}

describe('the authorization hook with the example plugin (Docker protocol), through the docker CLI', () => {
  let root: string;
  let plugin: ExamplePlugin;
  let daemon: TestDaemon;
  let tlsDocker: (args: string[]) => ReturnType<typeof run>;

  beforeAll(async () => {
    root = await mkdtemp('/tmp/berth-authz-');
    // Docker's discovery: a spec file holding the plugin's address, in a plugin directory this test controls.
    const pluginDir = join(root, 'plugins');
    const socket = join(root, 'run', `${PLUGIN}.sock`);
    await mkdir(pluginDir);
    await writeFile(join(pluginDir, `${PLUGIN}.spec`), `unix://${socket}\n`);
    plugin = new ExamplePlugin(socket);
    await plugin.start();
    const certs = join(root, 'certs');
    await mkdir(certs);
    await makeCertificates(certs);
    const client = join(certs, 'client-dir');
    await mkdir(client);
    await copyFile(join(certs, 'ca.pem'), join(client, 'ca.pem'));
    await copyFile(join(certs, 'client.pem'), join(client, 'cert.pem'));
    await copyFile(join(certs, 'client.key'), join(client, 'key.pem'));
    const port = await freePort();
    daemon = await startTestDaemon([
      `--authorization-plugin=${PLUGIN}`,
      // Named twice: activated and asked once, listed once in `docker info`, as dockerd.
      `--authorization-plugin=${PLUGIN}`,
      '--plugin-dir',
      pluginDir,
      '-H',
      `tcp://127.0.0.1:${port}`,
      '--tlsverify',
      '--tlscacert',
      join(certs, 'ca.pem'),
      '--tlscert',
      join(certs, 'server.pem'),
      '--tlskey',
      join(certs, 'server.key'),
    ]);
    const loaded = await daemon.dockerCli(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: client, DOCKER_CONFIG: join(root, 'docker-config') };
    tlsDocker = (args) => run('docker', args, { env });
  }, 60_000);

  afterAll(async () => {
    // The cleanup removes containers through the API, which asks the plugin.
    if (plugin && !plugin.running) await plugin.start();
    await daemon?.cleanup();
    await plugin?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses `docker run --privileged` with Docker\'s wording and exit code, creating nothing', async () => {
    const refused = await daemon.dockerCli(['run', '--rm', '--privileged', 'busybox', 'true']);
    expect(refused).toEqual({
      code: 125,
      stdout: '',
      stderr: `docker: Error response from daemon: ${DENIED}: privileged containers are not allowed\n\nRun 'docker run --help' for more information\n`,
    });
    expect((await daemon.dockerCli(['ps', '-aq'])).stdout).toBe('');
  });

  it('refuses a host bind mount (`-v /etc:/x`, `--mount type=bind`) and allows a named volume and a plain run', async () => {
    const bind = await daemon.dockerCli(['run', '--rm', '-v', '/etc:/x', 'busybox', 'true']);
    expect(bind.code).toBe(125);
    expect(bind.stderr).toContain(`docker: Error response from daemon: ${DENIED}: host bind mounts are not allowed: /etc`);
    const mount = await daemon.dockerCli(['run', '--rm', '--mount', 'type=bind,source=/etc,target=/x', 'busybox', 'true']);
    expect(mount.code).toBe(125);
    expect(mount.stderr).toContain(`${DENIED}: host bind mounts are not allowed: /etc`);
    const volume = await daemon.dockerCli(['run', '--rm', '-v', 'authz-vol:/x', 'busybox', 'sh', '-c', 'echo kept > /x/f; cat /x/f']);
    expect(volume, volume.stderr).toMatchObject({ code: 0, stdout: 'kept\n' });
    const plain = await daemon.dockerCli(['run', '--rm', 'busybox', 'echo', 'plain run']);
    expect(plain, plain.stderr).toMatchObject({ code: 0, stdout: 'plain run\n' });
    expect((await daemon.dockerCli(['volume', 'rm', 'authz-vol'])).code).toBe(0);
  });

  it('refuses a privileged create or exec behind a percent-encoded path, and a request-target with "#"', async () => {
    const privileged = { Image: 'busybox', Cmd: ['true'], HostConfig: { Privileged: true } };
    expect(await rawExchange(daemon.socket, post('/v1.47/containers/%63reate', privileged))).toEqual({ status: 403, message: `${DENIED}: privileged containers are not allowed` });
    expect(await rawExchange(daemon.socket, post('/v1.47/%63ontainers/create?name=authz-encoded', privileged))).toEqual({ status: 403, message: `${DENIED}: privileged containers are not allowed` });
    expect(await rawExchange(daemon.socket, post('/containers/create#x', privileged))).toEqual({ status: 400, message: 'invalid request target "/containers/create#x": "#" is not allowed in a request' });
    expect((await daemon.dockerCli(['ps', '-aq'])).stdout).toBe('');
    const id = await runDetached(daemon, ['busybox', 'sleep', '300']);
    try {
      expect(await rawExchange(daemon.socket, post(`/containers/${id}/%65xec`, { Cmd: ['true'], Privileged: true }))).toEqual({ status: 403, message: `${DENIED}: privileged exec is not allowed` });
      const created = await rawExchange(daemon.socket, post(`/containers/${id}/%65xec`, { Cmd: ['true'] }));
      expect(created.status, created.message).toBe(201);
    } finally {
      await daemon.dockerCli(['rm', '-f', id]);
    }
  });

  it('refuses `docker exec --privileged` and serves a plain exec (a hijacked request, allowed)', async () => {
    const id = await runDetached(daemon, ['busybox', 'sleep', '300']);
    try {
      const refused = await daemon.dockerCli(['exec', '--privileged', id, 'true']);
      expect(refused).toEqual({ code: 1, stdout: '', stderr: `Error response from daemon: ${DENIED}: privileged exec is not allowed\n` });
      const plain = await daemon.dockerCli(['exec', '-i', id, 'sh', '-c', 'cat; echo exec ok'], 'stdin\n');
      expect(plain, plain.stderr).toMatchObject({ code: 0, stdout: 'stdin\nexec ok\n' });
      const upgraded = plugin.decisions.filter((d) => /\/exec\/[0-9a-f]+\/start$/.test(d.uri));
      expect(upgraded.length).toBeGreaterThan(0);
    } finally {
      await daemon.dockerCli(['rm', '-f', id]);
    }
  });

  it('lists the plugin in `docker info` and names the client certificate\'s CN as the user over TLS', async () => {
    const info = await daemon.dockerCli(['info', '--format', '{{json .Plugins.Authorization}}']);
    expect(info.stdout.trim(), info.stderr).toBe(JSON.stringify([PLUGIN]));
    const seen = plugin.decisions.length;
    const refused = await tlsDocker(['run', '--rm', '--privileged', 'busybox', 'true']);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toContain(`${DENIED}: privileged containers are not allowed`);
    const plain = await tlsDocker(['run', '--rm', 'busybox', 'echo', 'over tls']);
    expect(plain, plain.stderr).toMatchObject({ code: 0, stdout: 'over tls\n' });
    const overTls = plugin.decisions.slice(seen);
    expect(overTls.length).toBeGreaterThan(0);
    expect(new Set(overTls.map((d) => d.user))).toEqual(new Set(['client']));
    expect(overTls.find((d) => !d.allow)).toMatchObject({ user: 'client', method: 'POST', msg: 'privileged containers are not allowed' });
    expect(plugin.decisions.slice(0, seen).every((d) => d.user === '')).toBe(true);
  });

  it("answers Docker's error while the plugin is down, and serves again once it is back", async () => {
    await plugin.crash();
    const down = await daemon.dockerCli(['ps']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Error response from daemon: plugin ${PLUGIN} failed with error: Post "http://plugin.moby.localhost/AuthZPlugin.AuthZReq": connect ECONNREFUSED`);
    await plugin.start();
    const back = await daemon.dockerCli(['ps', '-q']);
    expect(back, back.stderr).toMatchObject({ code: 0, stdout: '' });
  });

  it('does not start with a plugin it cannot find, as dockerd', async () => {
    const dir = join(root, 'unstarted');
    const started = await run(process.execPath, [BERTHD, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${join(dir, 's.sock')}`, '--bridge=none', ...ACCEPT_UNPATCHED_RUNC, '--authorization-plugin=no-such-plugin', '--plugin-dir', join(root, 'plugins')]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('berthd: failed to validate authorization plugin no-such-plugin: could not find plugin no-such-plugin in v1 plugin registry: plugin not found\n');
    expect(existsSync(join(dir, 's.sock'))).toBe(false);
  });
});
