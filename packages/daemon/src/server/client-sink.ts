import { Writable, finished, type Duplex } from 'node:stream';
import { drainedOrClosed } from '../util/write-waits.js';

/**
 * Output for a client on a hijacked socket, as a Writable: a chunk counts as written once the socket took
 * it, so a source piped in here stops while the client's buffer is full instead of growing our memory.
 * Once the client is gone its output is dropped; the sink never errors.
 */
export function clientSink(socket: Duplex, encode: (data: Buffer) => Buffer = (data) => data): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!socket.writable || socket.write(encode(chunk))) done();
      else drainedOrClosed(socket).then(() => done(), done);
    },
  });
}

/** Ends the sinks and waits until what they hold reached the socket, so a following `socket.end()` loses nothing. */
export function flushSinks(sinks: Writable[]): Promise<void> {
  return Promise.all(
    sinks.map(
      (sink) =>
        new Promise<void>((resolve) => {
          finished(sink, () => resolve());
          sink.end();
        }),
    ),
  ).then(() => undefined);
}

/** Ends the connection once the sinks' output reached it. */
export function endAfterSinks(socket: Duplex, sinks: Writable[]): void {
  flushSinks(sinks).then(
    () => endConnection(socket),
    () => socket.destroy(),
  );
}

/**
 * Ends a hijacked connection whose output is over. What the client still sends (stdin nobody reads any
 * more) is read and dropped: a paused socket would never see the client close, and would stay open for
 * good, and one closed with input unread would reset the client before it read our end.
 */
export function endConnection(socket: Duplex): void {
  socket.end();
  socket.unpipe();
  socket.resume();
}

/** Resolves when the socket is closed, whatever closed it (never rejects, unlike `once(socket, 'close')`). */
export function socketClosed(socket: Duplex): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

