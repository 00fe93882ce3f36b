import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveExamplePlugin, type Decision } from './example-plugin.js';
import { pluginClient } from './plugin-client.js';
import { locatePlugin } from './plugin-discovery.js';
import { authorizationPlugins } from './plugins.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authz-plugin-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One POST to the plugin with `body` as written, for inputs the plugin client would never send. */
function rawCall(socketPath: string, path: string, body: string): Promise<{ status: number; body: { Err?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST', headers: { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { Err?: string } }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function servePlugin(socket: string, decisions: Decision[]): Promise<Server> {
  const server = await serveExamplePlugin(socket, (decision) => decisions.push(decision));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}

describe('the example plugin and the plugin client, over a unix socket', () => {
  it("activates as an authz plugin and decides requests, as Docker's protocol has it", async () => {
    const dir = await tempDir();
    const decisions: Decision[] = [];
    await servePlugin(join(dir, 'example.sock'), decisions);
    const call = pluginClient(`unix://${join(dir, 'example.sock')}`);
    expect(await call('Plugin.Activate', undefined)).toEqual({ Implements: ['authz'] });
    const body = Buffer.from(JSON.stringify({ HostConfig: { Privileged: true } })).toString('base64');
    expect(await call('AuthZPlugin.AuthZReq', { RequestMethod: 'POST', RequestUri: '/v1.47/containers/create', RequestBody: body, User: 'alice' })).toEqual({
      Allow: false,
      Msg: 'privileged containers are not allowed',
    });
    expect(await call('AuthZPlugin.AuthZRes', { RequestMethod: 'GET', RequestUri: '/_ping', ResponseStatusCode: 200 })).toEqual({ Allow: true });
    expect(decisions).toEqual([{ user: 'alice', method: 'POST', uri: '/v1.47/containers/create', allow: false, msg: 'privileged containers are not allowed' }]);
    await expect(call('VolumeDriver.Create', {})).rejects.toThrow('VolumeDriver.Create: unknown plugin call /VolumeDriver.Create');
  });

  it('answers 400 to a call whose JSON is no object, and keeps serving', async () => {
    const dir = await tempDir();
    const socket = join(dir, 'example.sock');
    const decisions: Decision[] = [];
    await servePlugin(socket, decisions);
    for (const body of ['null', '1', '[]', '"x"', '{']) {
      const answer = await rawCall(socket, '/AuthZPlugin.AuthZReq', body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.Err, body).toMatch(/^invalid (JSON|plugin call: the body is not a JSON object)/);
    }
    const call = pluginClient(`unix://${socket}`);
    await expect(call('AuthZPlugin.AuthZReq', null)).rejects.toThrow('AuthZPlugin.AuthZReq: invalid plugin call: the body is not a JSON object');
    // Fields of the wrong type fail that call (500), not the plugin.
    await expect(call('AuthZPlugin.AuthZReq', { RequestMethod: 'POST', RequestUri: 5 })).rejects.toThrow(/^AuthZPlugin\.AuthZReq: the plugin failed: /);
    expect(await call('AuthZPlugin.AuthZReq', { RequestMethod: 'GET', RequestUri: '/_ping' })).toEqual({ Allow: true });
    expect(decisions).toEqual([{ user: '', method: 'GET', uri: '/_ping', allow: true }]);
  });

  it('names the method and the address when the plugin is not there', async () => {
    const dir = await tempDir();
    await expect(pluginClient(`unix://${join(dir, 'gone.sock')}`)('AuthZPlugin.AuthZReq', {})).rejects.toThrow(/^Post "http:\/\/plugin\.moby\.localhost\/AuthZPlugin\.AuthZReq": connect ENOENT/);
  });

  it('finds a plugin by its socket, its spec file or its JSON spec, as dockerd searches', async () => {
    const dir = await tempDir();
    await servePlugin(join(dir, 'sock-plugin.sock'), []);
    await mkdir(join(dir, 'nested'));
    await symlink(join(dir, 'sock-plugin.sock'), join(dir, 'nested', 'nested.sock'));
    await writeFile(join(dir, 'spec-plugin.spec'), 'unix:///run/x.sock\n');
    await writeFile(join(dir, 'json-plugin.json'), JSON.stringify({ Name: 'json-plugin', Addr: 'tcp://127.0.0.1:9000' }));
    await writeFile(join(dir, 'bad.spec'), '/run/x.sock');
    const dirs = { socketDirs: [dir], specDirs: [dir] };
    expect(await locatePlugin('sock-plugin', dirs)).toBe(`unix://${join(dir, 'sock-plugin.sock')}`);
    expect(await locatePlugin('nested', dirs)).toBe(`unix://${join(dir, 'nested', 'nested.sock')}`);
    expect(await locatePlugin('spec-plugin', dirs)).toBe('unix:///run/x.sock');
    expect(await locatePlugin('json-plugin', dirs)).toBe('tcp://127.0.0.1:9000');
    await expect(locatePlugin('bad', dirs)).rejects.toThrow(/Unknown protocol/);
    await expect(locatePlugin('missing', dirs)).rejects.toThrow('could not find plugin missing in v1 plugin registry: plugin not found');
    await expect(locatePlugin('../etc', dirs)).rejects.toThrow(/invalid plugin name/);
  });

  it('activates the plugins berthd is given, found under its plugin directory', async () => {
    const dir = await tempDir();
    await servePlugin(join(dir, 'berth-authz-example.sock'), []);
    const policy = await authorizationPlugins(['berth-authz-example'], [dir]);
    expect(policy.names).toEqual(['berth-authz-example']);
    await expect(policy.authorizeRequest({ RequestMethod: 'POST', RequestUri: '/containers/create', RequestHeaders: {}, RequestBody: Buffer.from('{"HostConfig":{"Binds":["/etc:/x"]}}') })).rejects.toThrow(
      'authorization denied by plugin berth-authz-example: host bind mounts are not allowed: /etc',
    );
  });
});
