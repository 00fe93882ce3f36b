import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, run, startTestDaemon, writeTree, type CommandResult, type Leftovers, type TestDaemon } from '../harness.js';
import { createTestNetns, type TestNetns } from '../netns.js';

/** Debian's docker-compose (Python, on Debian's docker-py 5.0.3). */
const COMPOSE = '/usr/bin/docker-compose';
const composeVersion = execFileSync(COMPOSE, ['version', '--short'], { encoding: 'utf8' }).trim();

const PROJECT = 'berthcompose';
const PORT = 18080;

const DOCKERFILE = `FROM busybox AS base
ARG GREETING=unset
RUN mkdir -p /www && echo "$GREETING from web" > /www/index.html

FROM base AS final
HEALTHCHECK --interval=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1
CMD ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
`;

// web: built here, healthy once httpd answers, published on PORT. client: started once web is healthy,
// fetches web by its service name into the named volume, then idles. probe (only with --profile probe):
// fetches web once, for an attached `up`.
const COMPOSE_FILE = `version: "3.9"
services:
  web:
    build:
      context: ./web
      target: final
      args: {GREETING: hello}
      labels: {com.example.built-by: compose}
    init: true
    ports: ["${PORT}:8080"]
    networks: [front]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 3s
      retries: 30
  client:
    image: busybox
    depends_on:
      web:
        condition: service_healthy
    networks: [front]
    volumes: ["data:/data"]
    stop_signal: SIGKILL
    command: ["sh", "-c", "until wget -q -O /data/page http://web:8080/; do sleep 1; done; echo fetched: $$(cat /data/page); while :; do sleep 1; done"]
  probe:
    image: busybox
    profiles: [probe]
    networks: [front]
    command: ["wget", "-qO-", "http://web:8080/"]
networks:
  front: {}
volumes:
  data: {}
`;

// docker-compose reaches the published port and the daemon from the namespace the test's berthd runs in.
describe(`docker-compose ${composeVersion}`, () => {
  let netns: TestNetns;
  let d: TestDaemon;
  let file: string;
  let up: CommandResult;
  let leftovers: Leftovers | undefined;

  /** docker-compose on the project, inside the namespace; `env` adds compose's own settings. */
  const compose = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run('nsenter', [`--net=${netns.path}`, COMPOSE, '-p', PROJECT, '-f', file, ...args], { env: { ...d.env, ...env } });
  const composeOk = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
    const result = await compose(args, env);
    expect(result.code, `docker-compose ${args.join(' ')}:\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  /** Asks again until `check` holds (the client fetches on its own schedule), failing with what was seen last. */
  const eventually = async (ask: () => Promise<string>, check: (seen: string) => boolean): Promise<string> => {
    let seen = '';
    for (let i = 0; i < 60; i++) {
      seen = await ask();
      if (check(seen)) return seen;
      await sleep(250);
    }
    return seen;
  };
  const projectFilter = { label: [`com.docker.compose.project=${PROJECT}`] };

  beforeAll(async () => {
    netns = await createTestNetns();
    d = await startTestDaemon([], { netns });
    await dockerOk(d, ['load', '-i', await busyboxArchive()]);
    const dir = await writeTree(join(d.root, 'project'), { 'docker-compose.yml': COMPOSE_FILE, 'web/Dockerfile': DOCKERFILE });
    file = join(dir, 'docker-compose.yml');
    up = await compose(['up', '-d', '--build']);
  }, 300_000);

  afterAll(async () => {
    if (!leftovers) await d?.cleanup();
    await netns?.remove();
  });

  it('up -d --build builds the image, then creates the network, the volume and both containers', async () => {
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`Creating network "${PROJECT}_front" with the default driver`);
    expect(up.stderr).toContain(`Creating volume "${PROJECT}_data" with default driver`);
    expect(up.stdout + up.stderr).toContain(`Successfully tagged ${PROJECT}_web:latest`);
    expect(up.stderr).toMatch(new RegExp(`Creating ${PROJECT}_web_1 \\.\\.\\. done[\\s\\S]*Creating ${PROJECT}_client_1 \\.\\.\\. done`));
    const image = await d.docker.getImage(`${PROJECT}_web`).inspect();
    expect(image.Config.Labels).toEqual({ 'com.example.built-by': 'compose' });
    expect(image.Config.Healthcheck?.Test).toEqual(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1']);
  });

  it('ps lists both services Up, web healthy (client waited for it)', async () => {
    const rows = (await composeOk(['ps'])).split('\n').slice(2).filter(Boolean);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${PROJECT}_client_1 .* Up\\s*$`));
    expect(rows[1]).toMatch(new RegExp(`^${PROJECT}_web_1 .* Up \\(healthy\\)\\s+0\\.0\\.0\\.0:${PORT}->8080/tcp\\s*$`));
  });

  it('labels what it made the way it finds it again, and names the containers on the network by service', async () => {
    const containers = await d.docker.listContainers({ filters: projectFilter });
    expect(containers.map((c) => c.Labels['com.docker.compose.service']).sort()).toEqual(['client', 'web']);
    const web = await d.docker.getContainer(`${PROJECT}_web_1`).inspect();
    expect(web.Config.Labels).toMatchObject({ 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1', 'com.docker.compose.oneoff': 'False' });
    expect(web.HostConfig.Init).toBe(true);
    expect(web.State.Health?.Status).toBe('healthy');
    expect(web.NetworkSettings.Networks[`${PROJECT}_front`]?.Aliases).toEqual(expect.arrayContaining(['web', web.Id.slice(0, 12)]));
    const [network] = await d.docker.listNetworks({ filters: projectFilter });
    expect(network).toMatchObject({ Name: `${PROJECT}_front`, Driver: 'bridge', Labels: { 'com.docker.compose.network': 'front' } });
    const volume = await d.docker.getVolume(`${PROJECT}_data`).inspect();
    expect(volume.Labels).toMatchObject({ 'com.docker.compose.project': PROJECT, 'com.docker.compose.volume': 'data' });
  });

  it("answers on the published port from the namespace's 127.0.0.1", async () => {
    expect((await netns.run('busybox', ['wget', '-qO-', `http://127.0.0.1:${PORT}/`])).stdout).toBe('hello from web\n');
    expect((await composeOk(['port', 'web', '8080'])).trim()).toBe(`0.0.0.0:${PORT}`);
  });

  it('client reached web by its service name (what it fetched is in the named volume)', async () => {
    const page = await eventually(async () => (await compose(['exec', '-T', 'client', 'cat', '/data/page'])).stdout, (seen) => seen !== '');
    expect(page).toBe('hello from web\n');
  });

  it("logs shows each service's output, prefixed with its container", async () => {
    const logs = await eventually(() => composeOk(['logs', '--no-color']), (seen) => seen.includes('fetched:'));
    expect(logs).toMatch(new RegExp(`^client_1 +\\| fetched: hello from web$`, 'm'));
    // httpd -v logs each request on stderr: the client's, and the health probes'.
    expect(logs).toMatch(/^web_1 +\| \[::ffff:[0-9.]+\]:\d+: response:200$/m);
    expect(await composeOk(['logs', '--no-color', '--tail=1', 'client'])).toMatch(/^client_1 +\| fetched: hello from web\n$/m);
  });

  it('exec -T runs a command in a service, through the docker CLI and through docker-py', async () => {
    expect(await composeOk(['exec', '-T', 'web', 'cat', '/www/index.html'])).toBe('hello from web\n');
    // COMPOSE_INTERACTIVE_NO_CLI: compose's own exec (docker-py): exit code, user, working directory and environment.
    const own = await compose(['exec', '-T', '-u', 'nobody', '-w', '/tmp', '-e', 'WHO=compose', 'web', 'sh', '-c', 'echo $WHO $(id -u) $(pwd); exit 3'], {
      COMPOSE_INTERACTIVE_NO_CLI: '1',
    });
    expect(own).toMatchObject({ code: 3, stdout: 'compose 65534 /tmp\n' });
  });

  it('run --rm -T starts a one-off container of a service, attached, and removes it', async () => {
    const oneOff = await compose(['run', '--rm', '-T', 'client', 'wget', '-qO-', 'http://web:8080/']);
    expect(oneOff).toMatchObject({ code: 0, stdout: 'hello from web\n' });
    expect((await d.docker.listContainers({ all: true, filters: projectFilter })).map((c) => c.Names[0]).sort()).toEqual([`/${PROJECT}_client_1`, `/${PROJECT}_web_1`]);
  });

  it('up without -d attaches to a service, prints its output and exits with its exit code', async () => {
    const attached = await compose(['--profile', 'probe', 'up', '--no-color', '--no-build', '--exit-code-from', 'probe', 'probe']);
    expect(attached.code, attached.stderr).toBe(0);
    expect(attached.stdout).toMatch(/^probe_1 +\| hello from web$/m);
    expect(attached.stdout).toContain(`${PROJECT}_probe_1 exited with code 0`);
    await composeOk(['--profile', 'probe', 'rm', '-f', 'probe']);
    expect((await d.docker.listContainers({ all: true, filters: projectFilter })).map((c) => c.Names[0]).sort()).toEqual([`/${PROJECT}_client_1`, `/${PROJECT}_web_1`]);
  });

  it("build with compose's own builder (COMPOSE_DOCKER_CLI_BUILD=0: docker-py's /build) honours target, args and labels", async () => {
    const built = await compose(['build', '--no-cache', 'web'], { COMPOSE_DOCKER_CLI_BUILD: '0' });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain(`Successfully tagged ${PROJECT}_web:latest`);
    // The docker CLI (compose's default builder) would have warned on stderr.
    expect(built.stderr).not.toContain('legacy builder');
    const image = await d.docker.getImage(`${PROJECT}_web`).inspect();
    expect(image.Config.Labels).toEqual({ 'com.example.built-by': 'compose' });
    expect(await dockerOk(d, ['run', '--rm', `${PROJECT}_web`, 'cat', '/www/index.html'])).toBe('hello from web\n');
  });

  it('up --force-recreate replaces the containers (API 1.44: image inspect still has ContainerConfig)', async () => {
    const before = await d.docker.getContainer(`${PROJECT}_web_1`).inspect();
    const recreated = await compose(['up', '-d', '--no-build', '--force-recreate'], { COMPOSE_API_VERSION: '1.44' });
    expect(recreated.code, recreated.stderr).toBe(0);
    expect(recreated.stderr).toMatch(new RegExp(`Recreating ${PROJECT}_web_1 \\.\\.\\. done`));
    const after = await d.docker.getContainer(`${PROJECT}_web_1`).inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(after.State.Health?.Status).toBe('healthy');
  });

  it('the named volume holds the data, seen from another container too', async () => {
    expect(await dockerOk(d, ['run', '--rm', '-v', `${PROJECT}_data:/d`, 'busybox', 'cat', '/d/page'])).toBe('hello from web\n');
  });

  it('down -v removes the containers, the network and the named volume', async () => {
    const down = await compose(['down', '-v']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`Removing network ${PROJECT}_front`);
    expect(down.stderr).toContain(`Removing volume ${PROJECT}_data`);
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
    expect((await d.docker.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
    expect((await d.docker.listVolumes()).Volumes).toEqual([]);
    expect(await composeOk(['ps', '-q'])).toBe('');
  });

  it('leaves nothing behind: no mount, conmon or runtime state', async () => {
    leftovers = await d.cleanup();
    expect(leftovers).toEqual({ mounts: [], conmons: [], runtimeState: [] });
  });
});
