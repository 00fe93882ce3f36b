import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import {
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  StdStream,
  compareApiVersions,
  frameStdStream,
  httpStatusOf,
} from '@berth/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from './engine.js';
import { splitVersionedUrl } from './api-version.js';
import { rawHeaderLines } from './headers.js';
import { queryBool } from './query.js';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

function writeRawError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${rawHeaderLines({ 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) })}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * Requests carrying `Upgrade:` (docker CLI attach and exec start) arrive here instead of fastify. We
 * answer `101 UPGRADED` ourselves and keep the raw socket half-open, so output produced after the
 * client closes its stdin still reaches it.
 */
export function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex, head: Buffer, log: FastifyBaseLogger): void {
  if (head.length) socket.unshift(head);
  socket.on('error', () => undefined);
  const { url, version, error } = splitVersionedUrl(req.url ?? '/');
  if (error) return writeRawError(socket, 400, error);
  const parsed = new URL(url, 'http://berth');
  const query = Object.fromEntries(parsed.searchParams);
  const attach = /^\/containers\/([^/]+)\/attach$/.exec(parsed.pathname);
  if (req.method === 'POST' && attach) {
    attachOverHttp(engine, decodeURIComponent(attach[1]!), query, socket, { upgraded: true, apiVersion: version }).catch((err: unknown) => {
      log.warn({ err }, 'attach failed');
    });
    return;
  }
  writeRawError(socket, 404, 'page not found');
}

/** Streams a container's stdio over a hijacked connection, multiplexed unless it has a TTY. */
export async function attachOverHttp(
  engine: Engine,
  ref: string,
  query: Record<string, string | undefined>,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  let tty: boolean;
  try {
    tty = engine.containers.inspect(ref).Config.Tty ?? false;
  } catch (err) {
    return writeRawError(socket, httpStatusOf(err), (err as Error).message);
  }
  const contentType = !tty && compareApiVersions(options.apiVersion, '1.42') >= 0 ? MULTIPLEXED_STREAM_CONTENT_TYPE : RAW_STREAM_CONTENT_TYPE;
  socket.write(
    options.upgraded
      ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${rawHeaderLines()}\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${rawHeaderLines()}\r\n`,
  );
  const writer = (stream: StdStream) => (data: Buffer) => {
    if (!socket.writable) return;
    socket.write(tty ? data : frameStdStream(stream, data));
  };
  const closed = once(socket, 'close').then(() => undefined);
  try {
    await engine.containers.attach(ref, {
      stdin: queryBool(query.stdin) ? socket : undefined,
      stdout: queryBool(query.stdout) ? writer(StdStream.Stdout) : undefined,
      stderr: queryBool(query.stderr) ? writer(StdStream.Stderr) : undefined,
      end: () => socket.end(),
      closed,
    });
  } catch (err) {
    if (socket.writable && !tty) socket.write(frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    socket.end();
  }
}
