import type { Duplex } from 'node:stream';
import {
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  StdStream,
  compareApiVersions,
  frameStdStream,
  httpStatusOf,
  DEFAULT_DETACH_KEYS,
  DetachKeysFilter,
  parseDetachKeys,
} from '@berth/api';
import type { ExecService } from '../exec/exec-service.js';
import { rawHeaderLines } from './headers.js';

export interface ExecStartBody {
  Detach?: boolean;
  Tty?: boolean;
}

const STATUS_TEXT: Record<number, string> = { 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

/**
 * Runs an exec with its stdio on a hijacked connection: multiplexed unless it has a TTY. The socket stays
 * half-open after the client's stdin ends, so output keeps flowing until the process exits.
 */
export async function execOverHttp(
  execs: ExecService,
  id: string,
  body: ExecStartBody,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  let tty: boolean;
  let detachKeys: Buffer;
  try {
    const { config } = execs.checkStartable(id);
    tty = body.Tty ?? config.Tty ?? false;
    detachKeys = parseDetachKeys(config.DetachKeys || DEFAULT_DETACH_KEYS);
  } catch (err) {
    const status = httpStatusOf(err);
    const text = JSON.stringify({ message: (err as Error).message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${rawHeaderLines({ 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) })}Connection: close\r\n\r\n${text}`,
    );
    return;
  }
  const contentType = !tty && compareApiVersions(options.apiVersion, '1.42') >= 0 ? MULTIPLEXED_STREAM_CONTENT_TYPE : RAW_STREAM_CONTENT_TYPE;
  socket.write(
    options.upgraded
      ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${rawHeaderLines()}\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${rawHeaderLines()}\r\n`,
  );
  const writer = (stream: StdStream) => (data: Buffer) => {
    if (socket.writable) socket.write(tty ? data : frameStdStream(stream, data));
  };
  // The detach sequence leaves the exec running without this client (its stdin then stays open).
  const stdin = new DetachKeysFilter(detachKeys);
  stdin.once('detach', () => {
    socket.unpipe(stdin);
    socket.destroy();
  });
  socket.pipe(stdin);
  try {
    await execs.start(id, { stdin, stdout: writer(StdStream.Stdout), stderr: writer(StdStream.Stderr), end: () => socket.end() });
  } catch (err) {
    if (socket.writable) socket.write(tty ? Buffer.from((err as Error).message) : frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    socket.end();
  }
}

/** Reads the JSON body that precedes the raw stream on an upgraded request. */
export async function readUpgradeBody(socket: Duplex, length: number): Promise<unknown> {
  if (!length) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < length) {
    const chunk = (socket.read() as Buffer | null) ?? (await nextReadable(socket));
    if (!chunk) break;
    const needed = length - total;
    if (chunk.length > needed) {
      socket.unshift(chunk.subarray(needed));
      chunks.push(chunk.subarray(0, needed));
      total += needed;
    } else {
      chunks.push(chunk);
      total += chunk.length;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : undefined;
}

function nextReadable(socket: Duplex): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
    };
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk) {
        done();
        resolve(chunk);
      }
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
  });
}
