import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, type ExecStartRequest } from '@berth/api';
import type { Engine } from './engine.js';
import { exchange, serveOnSocket } from './test-support/socket-server.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function serve(engine: Partial<Engine>): Promise<string> {
  const served = await serveOnSocket(engine as Engine);
  cleanup = served.close;
  return served.path;
}

const upgrade = (method: string, url: string, body = ''): string =>
  `${method} ${url} HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

const container = { Id: 'c1', Config: {} };
/** Containers whose every lookup fails with `err`. */
const failing = (err: Error) =>
  ({
    inspect: () => {
      throw err;
    },
  }) as unknown as Engine['inspection'];
const inspection = { inspect: () => container, eventSubject: () => ({}) } as unknown as Engine['inspection'];

describe('the upgrade dispatcher', () => {
  it('serves an upgraded exec start by its declaration in the route file, with the body the client sent', async () => {
    const started: { id: string; start: ExecStartRequest }[] = [];
    const execs = {
      checkStartable: () => ({ config: {} }),
      start: async (id: string, io: { end(): void }, start: ExecStartRequest) => {
        started.push({ id, start });
        io.end();
      },
    } as unknown as Engine['execs'];
    const path = await serve({ execs });
    const answer = await exchange(path, upgrade('POST', '/v1.47/exec/e1/start', '{"Tty":true}'));
    expect(answer.head).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    expect(started).toEqual([{ id: 'e1', start: { Tty: true } }]);
  });

  it('takes an upgraded exec start without a body, or with a null one, as no options', async () => {
    const started: ExecStartRequest[] = [];
    const execs = {
      checkStartable: () => ({ config: {} }),
      start: async (_id: string, io: { end(): void }, start: ExecStartRequest) => {
        started.push(start);
        io.end();
      },
    } as unknown as Engine['execs'];
    const path = await serve({ execs });
    for (const body of ['', 'null']) {
      expect((await exchange(path, upgrade('POST', '/exec/e1/start', body))).head).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    }
    expect(started).toEqual([{}, {}]);
  });

  it('refuses a body the route\'s schema refuses, before its handler runs', async () => {
    const execs = {
      checkStartable: () => {
        throw new Error('the handler ran');
      },
    } as unknown as Engine['execs'];
    const answer = await exchange(await serve({ execs }), upgrade('POST', '/exec/e1/start', '{"Tty":"true"}'));
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.head).toMatch(/\r\nContent-Type: application\/json\r\n/);
    expect(JSON.parse(answer.body)).toEqual({ message: 'invalid request body: Tty must be a boolean or null, not the string "true"' });
  });

  it("answers what fails before the stream with Docker's error body, a fault's message included", async () => {
    let answer = await exchange(await serve({ inspection: failing(new NotFoundError('No such container: nope')) }), upgrade('POST', '/containers/nope/attach'));
    expect(answer.head).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(JSON.parse(answer.body)).toEqual({ message: 'No such container: nope' });
    await cleanup?.();
    answer = await exchange(await serve({ inspection: failing(new TypeError('boom')) }), upgrade('POST', '/containers/c1/attach'));
    expect(answer.head).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(JSON.parse(answer.body)).toEqual({ message: 'boom' });
  });

  it("refuses a WebSocket attach that is no WebSocket handshake with Docker's error body", async () => {
    const answer = await exchange(await serve({ inspection }), upgrade('GET', '/containers/c1/attach/ws?stream=1'));
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.head).toMatch(/\r\nContent-Type: application\/json\r\n/);
    expect(JSON.parse(answer.body).message).toMatch(/not a WebSocket handshake/);
  });

  it('leaves a request for the same endpoint without Upgrade to its ordinary route', async () => {
    const answer = await exchange(await serve({ inspection: failing(new NotFoundError('No such container: nope')) }), 'POST /containers/nope/attach HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    expect(answer.head).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer.head).not.toMatch(/\r\nConnection: Upgrade/i);
    expect(JSON.parse(answer.body)).toEqual({ message: 'No such container: nope' });
  });
});
