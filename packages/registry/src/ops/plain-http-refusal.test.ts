import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answerPlainHttp } from './plain-http-refusal.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A self-signed certificate for 127.0.0.1, made for this test only. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function answer(send: typeof request | typeof httpRequest, port: number, options: object, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = send({ host: '127.0.0.1', port, method: body ? 'POST' : 'GET', path: '/', agent: false, ...options }, (res) => {
      let text = '';
      res.on('data', (part: Buffer) => (text += part.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('answerPlainHttp', () => {
  it('answers plain HTTP with Go\'s 400 and serves TLS as before, bodies included', async () => {
    const { key, cert } = selfSigned();
    server = createServer({ key, cert }, (req, res) => {
      let size = 0;
      req.on('data', (part: Buffer) => (size += part.length));
      req.on('end', () => res.end(`got ${size}`));
    });
    answerPlainHttp(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await answer(httpRequest, port, {})).toEqual({ status: 400, text: 'Client sent an HTTP request to an HTTPS server.\n' });
    expect(await answer(request, port, { ca: cert })).toEqual({ status: 200, text: 'got 0' });
    expect(await answer(request, port, { ca: cert }, 'x'.repeat(200_000))).toEqual({ status: 200, text: 'got 200000' });
  });
});
