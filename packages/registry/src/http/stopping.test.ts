import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createRegistryServer } from './registry-routes.js';
import { MemoryBackend, sha256 } from './test-support/memory-backend.js';

describe('a registry server that is stopping', () => {
  it('finishes the request in flight and answers one pipelined after it 503 UNAVAILABLE, closing the connection', async () => {
    const app = createRegistryServer(new MemoryBackend(), { logLevel: 'silent' });
    let arrived: () => void = () => undefined;
    const uploading = new Promise<void>((resolve) => (arrived = resolve));
    app.addHook('preHandler', async (request) => {
      if (request.method === 'POST') arrived();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (part: Buffer) => (received += part.toString()));
    const ended = once(socket, 'end');
    const blob = '0123456789';
    socket.write(`POST /v2/app/blobs/uploads/?digest=${sha256(blob)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\n01234`);
    // The upload is under way: its handler waits for the rest of the body.
    await uploading;
    const closed = app.close();
    socket.write('56789GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
    await ended;
    await closed;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 201 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toContain('{"errors":[{"code":"UNAVAILABLE","message":"the registry is stopping"}]}');
  });
});
