import { STATUS_CODES } from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import { MULTIPLEXED_STREAM_CONTENT_TYPE, RAW_STREAM_CONTENT_TYPE, StdStream, compareApiVersions, frameStdStream } from '@berth/api';
import { rawHeaderLines } from './headers.js';
import { clientSink } from './client-sink.js';
import { errorReply, type ErrorReply, type FaultLog } from './error-body.js';

// Responses on a hijacked socket bypass fastify, so status line, headers and framing are written by hand here.

/**
 * Serves a request on a hijacked socket. A failure before anything was written is answered as an error
 * response that closes the connection; past the response head the connection can only be dropped. Never
 * rejects. A kept-alive connection carries earlier responses: only bytes written from here on count.
 */
export async function serveHijacked(socket: Duplex, log: FaultLog, serve: () => Promise<void>): Promise<void> {
  const writtenBefore = bytesWritten(socket);
  try {
    await serve();
  } catch (err) {
    const reply = errorReply(err, log);
    if (bytesWritten(socket) === writtenBefore && socket.writable) writeRawError(socket, reply);
    else socket.destroy();
  }
}

function bytesWritten(socket: Duplex): number {
  return (socket as Partial<{ bytesWritten: number }>).bytesWritten ?? 0;
}

function writeRawError(socket: Duplex, { status, body }: ErrorReply): void {
  const framing: Record<string, string> = body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {};
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${rawHeaderLines(framing)}Connection: close\r\n\r\n`;
  socket.end(body ? Buffer.concat([Buffer.from(head), body]) : head);
}

/** The head of an attach or exec stream: multiplexed unless it has a TTY (API 1.42 and later name that type). */
export function writeStreamHead(socket: Duplex, options: { upgraded: boolean; apiVersion: string; tty: boolean }): void {
  const contentType = !options.tty && compareApiVersions(options.apiVersion, '1.42') >= 0 ? MULTIPLEXED_STREAM_CONTENT_TYPE : RAW_STREAM_CONTENT_TYPE;
  socket.write(
    options.upgraded
      ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${rawHeaderLines()}\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${rawHeaderLines()}\r\n`,
  );
}

/** The client's stdout and stderr on a hijacked socket: as is with a TTY, else framed (see clientSink). */
export function stdStreamSinks(socket: Duplex, tty: boolean): { stdout: Writable; stderr: Writable } {
  const sink = (stream: StdStream): Writable => clientSink(socket, tty ? undefined : (data) => frameStdStream(stream, data));
  return { stdout: sink(StdStream.Stdout), stderr: sink(StdStream.Stderr) };
}
