import { afterEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '@berth/api';
import type { AuthorizationPolicy, AuthorizationRequest, AuthorizationResponse } from '../authz/authorization.js';
import type { Engine } from './engine.js';
import { exchange, serveOnSocket } from './test-support/socket-server.js';

/** A policy that records what it is asked and refuses what `refuse` picks. */
function recordingPolicy(refuse: { request?: (r: AuthorizationRequest) => boolean; response?: (r: AuthorizationResponse) => boolean } = {}) {
  const requests: AuthorizationRequest[] = [];
  const responses: AuthorizationResponse[] = [];
  const policy: AuthorizationPolicy = {
    async authorizeRequest(request) {
      requests.push(request);
      if (refuse.request?.(request)) throw new ForbiddenError('authorization denied by plugin recorder: no');
    },
    async authorizeResponse(_request, response) {
      responses.push(response);
      if (refuse.response?.(response)) throw new ForbiddenError('authorization denied by plugin recorder: not this answer');
    },
  };
  return { policy, requests, responses };
}

/** An engine whose every call fails the test (routes may take its services when registered): a refused request must not reach a handler. */
function untouchableService(path: string): unknown {
  const call = () => {
    throw new Error(`the handler ran (${path})`);
  };
  return new Proxy(call, { get: (_target, name) => untouchableService(`${path}.${String(name)}`) });
}
const untouchable = untouchableService('engine') as Engine;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function serve(engine: Engine, policy: AuthorizationPolicy) {
  const served = await serveOnSocket(engine, policy);
  cleanup = served.close;
  return served;
}

describe('the authorization hooks', () => {
  it('ask about a request with its method, URI, headers and JSON body, before the handler runs, and answer a refusal with 403', async () => {
    const { policy, requests } = recordingPolicy({ request: () => true });
    const { app } = await serve(untouchable, policy);
    const body = '{"Image":"busybox","HostConfig":{"Privileged":true}}';
    const answer = await app.inject({ method: 'POST', url: '/v1.47/containers/create?name=x', headers: { 'content-type': 'application/json', 'x-registry-auth': 'secret', 'user-agent': 'Docker-Client/27' }, payload: body });
    expect(answer.statusCode).toBe(403);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json()).toEqual({ message: 'authorization denied by plugin recorder: no' });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ RequestMethod: 'POST', RequestUri: '/v1.47/containers/create?name=x', RequestBody: Buffer.from(body) });
    expect(requests[0]!.RequestHeaders).toMatchObject({ 'Content-Type': 'application/json', 'User-Agent': 'Docker-Client/27' });
    expect(requests[0]!.RequestHeaders).not.toHaveProperty('X-Registry-Auth');
    expect(requests[0]!.User).toBeUndefined();
  });

  it('ask about /_ping too, but not about a path no route serves (404 first, as dockerd)', async () => {
    const { policy, requests } = recordingPolicy();
    const { app } = await serve(untouchable, policy);
    expect((await app.inject({ method: 'GET', url: '/_ping' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404);
    expect(requests.map((r) => r.RequestUri)).toEqual(['/_ping']);
  });

  it('refuse a JSON body beyond the bound rather than hide it from the policy', async () => {
    const { policy, requests } = recordingPolicy();
    const { app } = await serve(untouchable, policy);
    const payload = JSON.stringify({ Image: 'busybox', Labels: { big: 'x'.repeat(1024 * 1024) } });
    const answer = await app.inject({ method: 'POST', url: '/containers/create', headers: { 'content-type': 'application/json' }, payload });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().message).toMatch(/^request body too large for authorization plugin/);
    expect(requests).toEqual([]);
  });

  it('ask about a buffered response, and answer 403 instead of it when refused', async () => {
    const { policy, responses } = recordingPolicy({ response: (r) => r.ResponseBody?.toString().includes('"Version"') ?? false });
    const engine = { system: { version: () => ({ Version: '27.0.0' }) } } as unknown as Engine;
    const { app } = await serve(engine, policy);
    const answer = await app.inject({ method: 'GET', url: '/version' });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toEqual({ message: 'authorization denied by plugin recorder: not this answer' });
    expect(responses[0]).toMatchObject({ ResponseStatusCode: 200, ResponseHeaders: { 'Content-Type': expect.stringMatching(/^application\/json/) } });
    const ping = await app.inject({ method: 'GET', url: '/_ping' });
    expect(ping.statusCode).toBe(200);
    expect(ping.body).toBe('OK');
  });

  it('ask about a hijacked request (exec start) with its body before it is served, refusing it with 403', async () => {
    const { policy, requests } = recordingPolicy({ request: () => true });
    const { path } = await serve(untouchable, policy);
    const body = '{"Detach":false,"Tty":false}';
    const answer = await exchange(path, `POST /v1.47/exec/e1/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(answer.head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(JSON.parse(answer.body)).toEqual({ message: 'authorization denied by plugin recorder: no' });
    expect(requests).toMatchObject([{ RequestMethod: 'POST', RequestUri: '/v1.47/exec/e1/start', RequestBody: Buffer.from(body), RequestHeaders: { Upgrade: 'tcp' } }]);
    // Go's r.Header never holds Host (it is r.Host), so dockerd's plugins never see it.
    expect(requests[0]!.RequestHeaders).not.toHaveProperty('Host');
  });

  it('never see a request-target with "#": it is a 400, routed or hijacked, before the policy is asked', async () => {
    const { policy, requests } = recordingPolicy();
    const { path } = await serve(untouchable, policy);
    const body = '{"HostConfig":{"Privileged":true}}';
    const created = await exchange(path, `POST /v1.47/containers/create#x HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect(created.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(created.body)).toEqual({ message: 'invalid request target "/v1.47/containers/create#x": "#" is not allowed in a request' });
    const execStart = await exchange(path, 'POST /exec/e#1/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n');
    expect(execStart.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(execStart.body)).toEqual({ message: 'invalid request target "/exec/e#1/start": "#" is not allowed in a request' });
    expect(requests).toEqual([]);
  });

  it('ask about a WebSocket attach before its handshake', async () => {
    const { policy, requests } = recordingPolicy({ request: () => true });
    const { path } = await serve(untouchable, policy);
    const answer = await exchange(path, 'GET /containers/c1/attach/ws?stream=1 HTTP/1.1\r\nHost: docker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(answer.head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(requests.map((r) => r.RequestUri)).toEqual(['/containers/c1/attach/ws?stream=1']);
  });
});
