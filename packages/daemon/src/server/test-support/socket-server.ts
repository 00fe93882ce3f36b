import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AuthorizationPolicy } from '../../authz/authorization.js';
import { createServer } from '../create-server.js';
import type { Engine } from '../engine.js';
import { createListener } from '../listener.js';
import { isUpgradeRequest } from '../upgrade-route.js';

/** `engine` served as berthd serves it (its listener, hijacking included) on a socket in a temporary directory. */
export async function serveOnSocket(engine: Engine, authorization?: AuthorizationPolicy): Promise<{ app: FastifyInstance; path: string; close: () => Promise<void> }> {
  const app = createServer(engine, { logLevel: 'silent', ...(authorization && { authorization }) });
  await app.ready();
  const dir = await mkdtemp(join(tmpdir(), 'berth-server-'));
  const listener: Server = createListener(app.server, isUpgradeRequest);
  const path = join(dir, 's.sock');
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  const close = async (): Promise<void> => {
    listener.closeAllConnections();
    listener.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { app, path, close };
}

/** Sends a raw request, half-closes, and returns all the server sent until it closed. */
export async function exchange(path: string, request: string): Promise<{ head: string; body: string }> {
  const client = connect(path);
  let answer = '';
  client.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  client.end(request);
  await once(client, 'close');
  const split = answer.indexOf('\r\n\r\n');
  return { head: answer.slice(0, split), body: answer.slice(split + 4) };
}
