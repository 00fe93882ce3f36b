import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

interface RawResponse {
  status: number;
  body: string;
}

/** One request over the socket with a JSON body sent as text, so mistyped values reach the daemon as typed. */
function send(method: string, path: string, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = request({ socketPath: d.socket, method, path: `/v1.47${path}`, headers }, (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An upgraded exec start, as the docker CLI sends it: the daemon answers before any stream when the body is bad. */
function upgradedExecStart(execId: string, body: string): Promise<string> {
  return upgraded(`/v1.47/exec/${execId}/start`, body);
}

/** A POST with `Upgrade: tcp`, answered by the daemon's hijack path instead of fastify. */
function upgraded(path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: d.socket,
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json', Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    req.on('response', (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${data}`));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(`${res.statusCode} upgraded`);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const message = (res: RawResponse) => (JSON.parse(res.body) as { message: string }).message;

beforeAll(async () => {
  expect((await d.dockerCli(['run', '-d', '--name', 'target', 'busybox', 'sleep', '600'])).code).toBe(0);
});

describe('request bodies are validated against the Engine API schema', () => {
  it('refuses "Privileged":"false" on exec create instead of granting every capability', async () => {
    const res = await send('POST', '/containers/target/exec', JSON.stringify({ Cmd: ['sh', '-c', 'grep CapEff /proc/self/status'], AttachStdout: true, Privileged: 'false' }));
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid request body: Privileged must be a boolean or null, not the string "false"');
  });

  it('still takes what the docker CLI, dockerode and the Python SDK send', async () => {
    const cli = await d.dockerCli(['exec', 'target', 'echo', 'ok']);
    expect(cli).toMatchObject({ code: 0, stdout: 'ok\n' });
    // docker-py sends None for unset options.
    const pySdk = await send('POST', '/containers/target/exec', JSON.stringify({ Cmd: ['true'], Env: null, User: '', WorkingDir: null, Privileged: false, Tty: false, Container: 'target' }));
    expect(pySdk.status).toBe(201);
    const exec = await d.docker.getContainer('target').exec({ Cmd: ['true'], AttachStdout: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise((resolve) => stream.on('end', resolve).resume());
    expect((await exec.inspect()).ExitCode).toBe(0);
  });

  it('checks the exec start body that arrives on a hijacked connection', async () => {
    const created = await send('POST', '/containers/target/exec', JSON.stringify({ Cmd: ['true'], AttachStdout: true }));
    const { Id } = JSON.parse(created.body) as { Id: string };
    const answer = await upgradedExecStart(Id, JSON.stringify({ Detach: false, Tty: 'yes' }));
    expect(answer).toBe('400 {"message":"invalid request body: Tty must be a boolean or null, not the string \\"yes\\""}\n');
    expect(await upgradedExecStart(Id, JSON.stringify({ Detach: false, Tty: false }))).toBe('101 upgraded');
  });

  it('checks the query of an attach that arrives on a hijacked connection', async () => {
    const answer = await upgraded('/v1.47/containers/target/attach?stream=1&stdout=maybe', '');
    expect(answer).toMatch(/^400 \{"message":"invalid query parameter: stdout /);
    expect(await upgraded('/v1.47/containers/target/attach?stream=1&stdout=1', '')).toBe('101 upgraded');
  });

  it('refuses a mistyped container update, and takes the docker CLI update', async () => {
    const res = await send('POST', '/containers/target/update', JSON.stringify({ Memory: '64m' }));
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid request body: Memory must be an integer, not the string "64m"');
    expect((await d.dockerCli(['update', '--memory', '64m', '--memory-swap', '128m', 'target'])).code).toBe(0);
    expect((await d.docker.getContainer('target').inspect()).HostConfig.Memory).toBe(64 * 1024 * 1024);
  });

  // Found by the fuzz suite: `{"Ulimits":{"a":1}}` was a 200, the field unknown to the update's schema.
  it('refuses a mistyped or set Ulimits in an update', async () => {
    const mistyped = await send('POST', '/containers/target/update', JSON.stringify({ Ulimits: { a: 1 } }));
    expect(mistyped.status).toBe(400);
    expect(message(mistyped)).toMatch(/^invalid request body: Ulimits must be /);
    const set = await send('POST', '/containers/target/update', JSON.stringify({ Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 10 }] }));
    expect(set.status).toBe(400);
    expect(message(set)).toMatch(/^Ulimits cannot be changed by an update/);
    const current = (await d.docker.getContainer('target').inspect()).HostConfig.Ulimits ?? [];
    expect((await send('POST', '/containers/target/update', JSON.stringify({ Ulimits: current }))).status).toBe(200);
  });

  // dockerd's update reads the API's Resources and RestartPolicy only: an Init, of any type, is no field of it.
  it('ignores Init in an update, as dockerd does', async () => {
    expect((await send('POST', '/containers/target/update', JSON.stringify({ Init: 'yes' }))).status).toBe(200);
    expect((await d.docker.getContainer('target').inspect()).HostConfig.Init).not.toBe('yes');
  });

  it('refuses a mistyped volume create, and takes null fields as unset', async () => {
    const res = await send('POST', '/volumes/create', JSON.stringify({ Name: 5 }));
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid request body: Name must be a string or null, not the number 5');
    const pySdk = await send('POST', '/volumes/create', JSON.stringify({ Name: 'from-py', Driver: null, DriverOpts: null, Labels: null }));
    expect(pySdk.status).toBe(201);
  });

  // The fuzz suite's create refusals name a real image since: these three were unknown to the schema and passed mistyped.
  it('refuses a container config field of the wrong type that berth otherwise leaves alone', async () => {
    const before = (await d.docker.listContainers({ all: true })).length;
    for (const [field, value, expected] of [
      ['MacAddress', 5, 'MacAddress must be a string, not the number 5'],
      ['OnBuild', 'RUN x', 'OnBuild must be '],
      ['ArgsEscaped', 'yes', 'ArgsEscaped must be '],
    ] as const) {
      const res = await send('POST', '/containers/create', JSON.stringify({ Image: 'busybox', [field]: value }));
      expect(res.status, field).toBe(400);
      expect(message(res)).toContain(`invalid request body: ${expected}`);
    }
    expect((await d.docker.listContainers({ all: true })).length).toBe(before);
  });

  // dockerd moves the deprecated container-wide MacAddress to the mode network's endpoint (the one that
  // assigns it); the address applied is checked in network.test.ts, under a daemon with networks.
  it('moves a container-wide MacAddress to the endpoint with dockerd\'s warning, and refuses what dockerd refuses', async () => {
    const mac = '02:42:ac:11:00:99';
    const created = await send('POST', '/containers/create?name=wide-mac', JSON.stringify({ Image: 'busybox', Cmd: ['true'], MacAddress: mac }));
    expect(created.status).toBe(201);
    expect((JSON.parse(created.body) as { Warnings: string[] }).Warnings).toContain(
      'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.',
    );
    const inspected = await d.docker.getContainer('wide-mac').inspect();
    expect('MacAddress' in inspected.Config).toBe(false);
    expect(inspected.NetworkSettings.Networks['bridge']?.MacAddress).toBe(mac);
    await d.docker.getContainer('wide-mac').remove();

    const before = (await d.docker.listContainers({ all: true })).length;
    const refusals: Array<[object, string]> = [
      [{ HostConfig: { NetworkMode: 'host' } }, 'conflicting options: mac-address and the network mode'],
      [{ HostConfig: { NetworkMode: 'none' } }, 'conflicting options: mac-address and the network mode'],
      [{ HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:98' } } } }, 'the container-wide MAC address must match'],
      [{ HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: { EndpointsConfig: { other: {} } } }, 'HostConfig.NetworkMode must match the identity of a network'],
      [{ MacAddress: 'not-a-mac' }, 'invalid MAC address: not-a-mac'],
    ];
    for (const [fields, expected] of refusals) {
      const res = await send('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['true'], MacAddress: mac, ...fields }));
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(message(res)).toContain(expected);
    }
    expect((await d.docker.listContainers({ all: true })).length).toBe(before);
  });

  // Found by the fuzz suite: `{"ClusterVolumeSpec":0}` was ignored and an anonymous volume created (201).
  it('refuses a cluster volume spec, mistyped or not, and creates no volume', async () => {
    const before = (await d.docker.listVolumes()).Volumes.length;
    const mistyped = await send('POST', '/volumes/create', JSON.stringify({ ClusterVolumeSpec: 0 }));
    expect(mistyped.status).toBe(400);
    expect(message(mistyped)).toBe('invalid request body: ClusterVolumeSpec must be an object or null, not the number 0');
    const swarm = await send('POST', '/volumes/create', JSON.stringify({ Name: 'clustered', ClusterVolumeSpec: { Group: 'g' } }));
    expect(swarm.status).toBe(400);
    expect(message(swarm)).toMatch(/ClusterVolumeSpec\) are not supported/);
    expect((await send('POST', '/volumes/create', JSON.stringify({ Name: 'unclustered', ClusterVolumeSpec: null }))).status).toBe(201);
    expect((await d.docker.listVolumes()).Volumes.length).toBe(before + 1);
  });

  it('refuses a commit body that is not a container config', async () => {
    const res = await send('POST', '/commit?container=target', JSON.stringify({ Cmd: 5 }));
    expect(res.status).toBe(400);
    expect(message(res)).toMatch(/^invalid request body: Cmd must be /);
    expect((await d.dockerCli(['commit', '--change', 'CMD ["true"]', 'target', 'committed:1'])).code).toBe(0);
  });
});

describe('query strings and path parameters are validated', () => {
  it("takes Docker's booleans and refuses other words", async () => {
    expect((await send('GET', '/containers/json?all=1&size=false')).status).toBe(200);
    const res = await send('GET', '/containers/json?all=maybe');
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid query parameter: all must be a boolean (1, true, 0 or false), not the string "maybe"');
  });

  it('refuses a non-integer timeout and an unknown wait condition', async () => {
    expect(message(await send('POST', '/containers/target/stop?t=soon'))).toBe('invalid query parameter: t must be an integer, not the string "soon"');
    expect((await send('POST', '/containers/target/wait?condition=later')).status).toBe(400);
  });

  it('refuses malformed filters with a 400, not a server error', async () => {
    const res = await send('GET', `/containers/json?filters=${encodeURIComponent('{"status":null}')}`);
    expect(res.status).toBe(400);
    expect(message(res)).toMatch(/^invalid filter/);
  });

  it('refuses control characters in a path parameter', async () => {
    const res = await send('GET', '/containers/tar%00get/json');
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid path parameter: id must be a name or ID, not the string "tar\\u0000get"');
  });
});

describe('routes that took some of their input unchecked', () => {
  it("refuses a start with a body, with moby's message, instead of ignoring its HostConfig", async () => {
    const res = await send('POST', '/containers/target/start', JSON.stringify({ HostConfig: { Privileged: true } }));
    expect(res.status).toBe(400);
    expect(message(res)).toBe('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
    expect((await send('POST', '/containers/target/start', '{}')).status).toBe(304);
  });

  it('refuses detach keys on start, which has nothing to detach from', async () => {
    const res = await send('POST', '/containers/target/start?detachKeys=ctrl-x');
    expect(res.status).toBe(400);
    expect(message(res)).toMatch(/^detachKeys is not supported on start/);
  });

  it('refuses a JSON body where an archive is expected', async () => {
    const res = await send('POST', '/images/load', JSON.stringify({ quiet: true }));
    expect(res.status).toBe(400);
    expect(message(res)).toBe('invalid request body: must be a raw stream (sent with a non-JSON content type), not an object');
  });

  it('refuses unknown signals with a 400 instead of failing in the runtime or stopping late', async () => {
    expect(await send('POST', '/containers/target/kill?signal=NOPE')).toMatchObject({ status: 400, body: '{"message":"cannot kill container: target: Invalid signal: NOPE"}\n' });
    expect(await send('POST', '/containers/target/stop?signal=NOPE')).toMatchObject({ status: 400, body: '{"message":"Invalid signal: NOPE"}\n' });
    expect((await d.docker.getContainer('target').inspect()).State.Running).toBe(true);
  });

  it('refuses an unknown disk usage type and a malformed platform', async () => {
    expect(message(await send('GET', '/system/df?type=bogus'))).toBe('unknown object type: bogus');
    const create = await send('POST', '/containers/create?platform=linux%2F', JSON.stringify({ Image: 'busybox' }));
    expect(create.status).toBe(400);
    expect(message(create)).toMatch(/^"" is an invalid component of "linux\/"/);
  });

  it('refuses parameters of API versions after ours instead of ignoring them', async () => {
    expect((await send('GET', '/images/get?names=busybox&platform=linux%2Famd64')).status).toBe(400);
  });

  it('answers rm --link as moby does without legacy links, and removes nothing', async () => {
    expect((await d.dockerCli(['create', '--name', 'linked', 'busybox'])).code).toBe(0);
    const rm = await d.dockerCli(['rm', '--link', 'linked']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('Error response from daemon: Conflict, cannot remove the default link name of the container');
    expect((await d.docker.getContainer('linked').inspect()).Name).toBe('/linked');
  });
});
