import { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createListener } from './listener.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createListener', () => {
  it('never times out a request body, but still bounds how long headers may take', () => {
    const listener = createListener(new EventEmitter(), () => false);
    // Node's defaults would be 300 s for the whole request (a long upload gets 408) and 60 s for headers.
    expect(listener.requestTimeout).toBe(0);
    expect(listener.headersTimeout).toBe(60_000);
    expect(listener.keepAliveTimeout).toBe(5_000);
  });

  it('hands requests to the API server, however long their body pauses', async () => {
    dir = await mkdtemp(join(tmpdir(), 'listener-'));
    const api = new EventEmitter();
    api.on('request', (req: IncomingMessage, res: ServerResponse) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => res.end(`got ${size}`));
    });
    const listener = createListener(api, () => false);
    const path = join(dir, 's.sock');
    await new Promise<void>((resolve) => listener.listen(path, resolve));
    try {
      const client = connect(path);
      await once(client, 'connect');
      client.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.end('world');
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(client, 'close');
      expect(answer).toMatch(/^HTTP\/1.1 200 OK/);
      expect(answer).toMatch(/got 10$/);
    } finally {
      listener.close();
    }
  });

  it('reads a request head as large as dockerd does, and answers 431 past it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'listener-'));
    const api = new EventEmitter();
    api.on('request', (req: IncomingMessage, res: ServerResponse) => res.end(`path of ${req.url?.length}`));
    const listener = createListener(api, () => false);
    const path = join(dir, 's.sock');
    await new Promise<void>((resolve) => listener.listen(path, resolve));
    const ask = async (pathLength: number): Promise<string> => {
      const client = connect(path);
      await once(client, 'connect');
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      client.end(`GET /${'a'.repeat(pathLength - 1)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await once(client, 'close');
      return answer;
    };
    try {
      expect(await ask(1024 * 1024)).toMatch(/path of 1048576$/);
      expect(await ask(1024 * 1024 + 8192)).toMatch(/^HTTP\/1.1 431/);
    } finally {
      listener.close();
    }
  });

  it('ends hijacked streams too when closing all connections, so closing the listener completes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'listener-'));
    const api = new EventEmitter();
    api.on('upgrade', (_req: IncomingMessage, socket: Duplex) => socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'));
    const listener = createListener(api, () => true);
    const path = join(dir, 's.sock');
    await new Promise<void>((resolve) => listener.listen(path, resolve));
    const client = connect(path);
    client.on('error', () => undefined);
    client.write('POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await once(client, 'data');
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    listener.closeAllConnections();
    await closed;
    await once(client, 'close');
  });

  it('upgrades only the requests it is told to, and hands other upgrade requests over as plain ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'listener-'));
    const api = new EventEmitter();
    api.on('request', (req: IncomingMessage, res: ServerResponse) => res.end(`plain ${req.url}`));
    api.on('upgrade', (req: IncomingMessage, socket: Duplex) => socket.end(`HTTP/1.1 101 UPGRADED\r\n\r\nhijacked ${req.url}`));
    const listener = createListener(api, (req) => req.url === '/hijack');
    const path = join(dir, 's.sock');
    await new Promise<void>((resolve) => listener.listen(path, resolve));
    const ask = async (url: string): Promise<string> => {
      const client = connect(path);
      await once(client, 'connect');
      client.end(`POST ${url} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`);
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(client, 'close');
      return answer;
    };
    try {
      expect(await ask('/hijack')).toMatch(/^HTTP\/1.1 101 UPGRADED[^]*hijacked \/hijack$/);
      expect(await ask('/other')).toMatch(/^HTTP\/1.1 200 OK[^]*plain \/other$/);
    } finally {
      listener.close();
    }
  });
});
