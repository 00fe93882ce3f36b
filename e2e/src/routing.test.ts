import { request, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon({ busybox: false });

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request over the socket, answered by fastify or, for `Upgrade:`, possibly by the hijack path. */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method, path, headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

const UPGRADE = { Connection: 'Upgrade', Upgrade: 'tcp' };

describe('a path or method without a route', () => {
  it.each([
    ['GET', '/v1.47/nope', {}],
    ['GET', '/nope', {}],
    ['GET', '/v1.99/nope', {}],
    ['DELETE', '/v1.47/_ping', {}],
    ['PUT', '/v1.47/containers/json', {}],
    ['GET', '/v1.47/images/busybox/nope', {}],
    ['POST', '/v1.47/nope', UPGRADE],
    ['POST', '/v1.47/containers/x/attach/nope', UPGRADE],
  ])("%s %s %j gets dockerd's 404: a JSON body and none of the headers of routed requests", async (method, path, headers) => {
    const res = await send(method, path, headers);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{"message":"page not found"}\n');
    expect(res.headers['api-version']).toBeUndefined();
    expect(res.headers['server']).toBeUndefined();
  });

  it('is reported by the docker CLI as the message, not as raw JSON', async () => {
    const plugins = await d.dockerCli(['plugin', 'ls']);
    expect(plugins.code).toBe(1);
    expect(plugins.stderr.trim()).toBe('Error response from daemon: page not found');
  });
});

describe('requests with Upgrade:', () => {
  it('are routed as plain requests unless they are for attach or exec start', async () => {
    const ping = await send('GET', '/v1.47/_ping', UPGRADE);
    expect(ping).toMatchObject({ status: 200, body: 'OK' });
    const version = await send('GET', '/v1.47/version', UPGRADE);
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toMatchObject({ ApiVersion: '1.47' });
  });
});

describe('errors of routed requests', () => {
  it('carry the JSON type without a charset and end in a newline, as Go encodes them', async () => {
    const res = await send('GET', '/v1.99/containers/json');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{"message":"client version 1.99 is too new. Maximum supported API version is 1.47"}\n');
    expect(res.headers['api-version']).toBe('1.47');
  });
});
