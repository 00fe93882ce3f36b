import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { activatePlugins } from './plugin-authorization.js';
import { MAX_PLUGIN_ANSWER_BYTES, pluginClient } from './plugin-client.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function listen(server: Server, connections: Set<Socket>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plugin-client-'));
  const socket = join(dir, 'p.sock');
  server.on('connection', (connection: Socket) => connections.add(connection));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanup.push(async () => {
    for (const connection of connections) connection.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return `unix://${socket}`;
}

/** A plugin answering every call with `handler`. */
function servePlugin(handler: RequestListener): Promise<string> {
  return listen(createHttpServer(handler), new Set());
}

/** A plugin that accepts connections and never answers. */
function serveSilence(): Promise<string> {
  return listen(createNetServer(), new Set());
}

describe('pluginClient', () => {
  it('fails a call whose answer is larger than the bound, in the shape of a plugin error', async () => {
    const address = await servePlugin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"Allow":true,"Msg":"${'x'.repeat(MAX_PLUGIN_ANSWER_BYTES)}"}`);
    });
    await expect(pluginClient(address)('AuthZPlugin.AuthZReq', {})).rejects.toThrow(`AuthZPlugin.AuthZReq: answer larger than ${MAX_PLUGIN_ANSWER_BYTES} bytes`);
  });

  it("cuts a long failure body short in the call's error", async () => {
    const address = await servePlugin((_req, res) => {
      res.writeHead(500);
      res.end('e'.repeat(100_000));
    });
    const failure = await pluginClient(address)('AuthZPlugin.AuthZReq', {}).catch((err: Error) => err);
    expect((failure as Error).message).toBe(`AuthZPlugin.AuthZReq: ${'e'.repeat(1024)}… (100000 characters)`);
  });

  it('waits for an answer without a bound unless the call sets one, then names what it waited for', async () => {
    const address = await serveSilence();
    const call = pluginClient(address);
    let unbounded: 'pending' | 'settled' = 'pending';
    void call('AuthZPlugin.AuthZReq', {}).then(
      () => (unbounded = 'settled'),
      () => (unbounded = 'settled'),
    );
    await expect(call('Plugin.Activate', undefined, { timeoutMs: 50 })).rejects.toThrow(`Plugin.Activate: no answer from ${address} within 50ms`);
    expect(unbounded).toBe('pending');
  });

  it("fails berthd's start when a plugin never answers its activation", async () => {
    const address = await serveSilence();
    await expect(activatePlugins(['silent'], async () => pluginClient(address), 50)).rejects.toThrow(`failed to validate authorization plugin silent: Plugin.Activate: no answer from ${address} within 50ms`);
  });
});
