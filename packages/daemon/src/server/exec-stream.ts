import type { Duplex } from 'node:stream';
import { StdStream, frameStdStream, DEFAULT_DETACH_KEYS, parseDetachKeys, type ExecStartRequest } from '@berth/api';
import type { Engine } from './engine.js';
import { endAfterSinks, endConnection, flushSinks } from './client-sink.js';
import { clientStdin } from './client-stdin.js';
import { stdStreamSinks, writeStreamHead } from './raw-response.js';

/**
 * Runs an exec with its stdio on a hijacked connection: multiplexed unless it has a TTY. The socket stays
 * half-open after the client's stdin ends, so output keeps flowing until the process exits. What fails
 * before the response head (no such exec, one already running) is thrown, for an error response.
 */
export async function execOverHttp(
  execs: Engine['execs'],
  id: string,
  start: ExecStartRequest,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  const { config } = execs.checkStartable(id);
  const tty = start.Tty ?? config.Tty ?? false;
  const detachKeys = parseDetachKeys(config.DetachKeys || DEFAULT_DETACH_KEYS);
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
