import type { Duplex } from 'node:stream';
import { DEFAULT_DETACH_KEYS, StdStream, frameStdStream, parseDetachKeys, type ContainerAttachQuery } from '@berth/api';
import type { Engine } from './engine.js';
import { queryBool } from './query.js';
import { stdStreamSinks, writeStreamHead } from './raw-response.js';
import { endAfterSinks, endConnection, flushSinks, socketClosed } from './client-sink.js';
import { clientStdin } from './client-stdin.js';
import { traceStep } from '../util/step-trace.js';

/**
 * Streams a container's stdio over a hijacked connection, multiplexed unless it has a TTY. What fails
 * before the response head (no such container, bad detach keys) is thrown, for an error response.
 */
export async function attachOverHttp(
  engine: Engine,
  ref: string,
  query: ContainerAttachQuery,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  const inspected = engine.inspection.inspect(ref);
  const subject = engine.inspection.eventSubject(inspected.Id);
  const detachKeys = parseDetachKeys(query.detachKeys || DEFAULT_DETACH_KEYS);
  const tty = inspected.Config.Tty ?? false;
  writeStreamHead(socket, { ...options, tty });
  const sinks = stdStreamSinks(socket, tty);
  const closed = socketClosed(socket);
  const stdout = queryBool(query.stdout) ? sinks.stdout : undefined;
  const stderr = queryBool(query.stderr) ? sinks.stderr : undefined;
  if (queryBool(query.logs)) await engine.io.replayLog(inspected.Id, { stdout, stderr });
  // Without `stream` (Docker's default) the attach ends after the replayed logs.
  if (!queryBool(query.stream)) {
    engine.io.attachedWithoutStream(subject);
    await flushSinks([sinks.stdout, sinks.stderr]);
    endConnection(socket);
    return;
  }
  const detach = (): void => {
    socket.destroy();
    engine.io.detached(subject);
  };
  const stdin = queryBool(query.stdin) ? clientStdin(socket, { tty, detachKeys, detach }) : undefined;
  // Without stdin what the client sends is dropped, but read: that is how its leaving is seen.
  if (!stdin) socket.resume();
  try {
    await engine.io.attach(ref, {
      stdin,
      stdout,
      stderr,
      end: () => {
        traceStep(inspected.Id, 'attach: output over');
        endAfterSinks(socket, [sinks.stdout, sinks.stderr]);
      },
      closed,
    });
  } catch (err) {
    await flushSinks([sinks.stdout, sinks.stderr]);
    if (socket.writable && !tty) socket.write(frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    endConnection(socket);
  }
}
