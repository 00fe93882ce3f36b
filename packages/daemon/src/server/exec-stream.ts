import type { Duplex } from 'node:stream';
import {
  StdStream,
  frameStdStream,
  httpStatusOf,
  DEFAULT_DETACH_KEYS,
  InvalidArgumentError,
  parseDetachKeys,
  type ExecStartRequest,
} from '@berth/api';
import type { Engine } from './engine.js';
import { JSON_BODY_LIMIT } from './body-limit.js';
import { endAfterSinks, endConnection, flushSinks } from './client-sink.js';
import { clientStdin } from './client-stdin.js';
import { stdStreamSinks, writeRawError, writeStreamHead } from './raw-response.js';

/**
 * Runs an exec with its stdio on a hijacked connection: multiplexed unless it has a TTY. The socket stays
 * half-open after the client's stdin ends, so output keeps flowing until the process exits.
 */
export async function execOverHttp(
  execs: Engine['execs'],
  id: string,
  start: ExecStartRequest,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  let tty: boolean;
  let detachKeys: Buffer;
  try {
    const { config } = execs.checkStartable(id);
    tty = start.Tty ?? config.Tty ?? false;
    detachKeys = parseDetachKeys(config.DetachKeys || DEFAULT_DETACH_KEYS);
  } catch (err) {
    return writeRawError(socket, httpStatusOf(err), (err as Error).message);
  }
  writeStreamHead(socket, { ...options, tty });
  const sinks = stdStreamSinks(socket, tty);
  const stdin = clientStdin(socket, {
    tty,
    detachKeys,
    detach: () => {
      socket.destroy();
      execs.detached(id);
    },
  });
  try {
    await execs.start(id, { stdin, stdout: sinks.stdout, stderr: sinks.stderr, end: () => endAfterSinks(socket, [sinks.stdout, sinks.stderr]) }, start);
  } catch (err) {
    await flushSinks([sinks.stdout, sinks.stderr]);
    if (socket.writable) socket.write(tty ? Buffer.from((err as Error).message) : frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    endConnection(socket);
  }
}

/** Reads the JSON body that precedes the raw stream on an upgraded request (at most JSON_BODY_LIMIT bytes). */
export async function readUpgradeBody(socket: Duplex, length: number): Promise<unknown> {
  if (!length) return undefined;
  if (length > JSON_BODY_LIMIT) throw new InvalidArgumentError(`request body is too large: ${length} bytes, the limit is ${JSON_BODY_LIMIT}`);
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
  try {
    return text ? JSON.parse(text) : undefined;
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function nextReadable(socket: Duplex): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
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
    socket.on('close', onEnd);
  });
}
