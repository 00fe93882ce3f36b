import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { drainRequest } from './drain-request.js';
import { requestBody } from './request-body.js';

/** A server whose handler gets the request once its head has come; the client has sent the first 4 bytes of a body of `length`. */
async function uploading(
  length = 8,
): Promise<{ server: Server; req: IncomingMessage; res: ServerResponse; client: ReturnType<typeof connect>; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\nabcd`);
  const [req, res] = (await once(server, 'request')) as [IncomingMessage, ServerResponse];
  return {
    server,
    req,
    res,
    client,
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

describe('requestBody', () => {
  it('gives the body through to its end', async () => {
    const { req, res, client, close } = await uploading();
    try {
      const body = requestBody(req, res);
      client.write('efgh');
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('abcdefgh');
    } finally {
      close();
    }
  });

  it('survives its consumer failing: the rest of the upload is still read and the response still sent', async () => {
    const { req, res, client, close } = await uploading();
    try {
      const body = requestBody(req, res);
      body.destroy(new Error('ENOSPC'));
      const answered = once(client, 'data');
      client.write('efgh');
      await once(req, 'end');
      res.writeHead(500).end('full');
      const [answer] = (await answered) as [Buffer];
      expect(answer.toString()).toMatch(/^HTTP\/1\.1 500/);
      expect(req.socket.destroyed).toBe(false);
    } finally {
      close();
    }
  });

  it('a body its route never read is drained all the same, however large the rest of the upload', async () => {
    const { req, res, client, close } = await uploading(64 * 1024 * 1024);
    try {
      requestBody(req, res);
      const drained = drainRequest({ raw: req } as FastifyRequest);
      const rest = Buffer.alloc(64 * 1024 * 1024 - 4, 'x');
      client.write(rest);
      await drained;
      expect(req.readableEnded).toBe(true);
    } finally {
      close();
    }
  });

  it('a body nobody reads fails quietly when the client leaves', async () => {
    const { req, res, client, close } = await uploading();
    try {
      const body = requestBody(req, res);
      const closed = new Promise((resolve) => body.once('close', resolve));
      client.destroy();
      await closed;
      expect(body.errored?.message).toMatch(/went away/);
    } finally {
      close();
    }
  });

  it('fails when the client leaves mid-upload', async () => {
    const { req, res, client, close } = await uploading();
    try {
      const body = requestBody(req, res);
      body.resume();
      const failed = once(body, 'error');
      client.destroy();
      const [err] = (await failed) as [Error];
      expect(err.message).toMatch(/went away/);
    } finally {
      close();
    }
  });

  it('discards the rest of the upload once the response is sent, however the route ended: the connection serves the next request', async () => {
    const { server, req, res, client, close } = await uploading(64 * 1024 * 1024);
    try {
      const body = requestBody(req, res);
      const answered = once(client, 'data');
      res.writeHead(404).end('no such container');
      expect(((await answered) as [Buffer])[0].toString()).toMatch(/^HTTP\/1\.1 404/);
      client.write(Buffer.alloc(64 * 1024 * 1024 - 4, 'x'));
      await once(req, 'end');
      expect(body.destroyed).toBe(true);
      const next = once(server, 'request');
      client.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
      const [nextReq] = (await next) as [IncomingMessage];
      expect(nextReq.url).toBe('/next');
    } finally {
      close();
    }
  });
});

describe('drainRequest', () => {
  it('returns at once for a client that already left', async () => {
    const { req, client, close } = await uploading();
    try {
      // The 'aborted' error of a request nobody reads.
      req.on('error', () => undefined);
      const closed = new Promise((resolve) => req.once('close', resolve));
      client.destroy();
      await closed;
      expect(req.readableEnded).toBe(false);
      await drainRequest({ raw: req } as FastifyRequest);
      expect(req.destroyed).toBe(true);
    } finally {
      close();
    }
  });
});
