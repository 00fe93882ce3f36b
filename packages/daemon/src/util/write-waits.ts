import type { ServerResponse } from 'node:http';
import type { Duplex, Writable } from 'node:stream';

/** Resolves when a stream that refused a write can take more, or is gone. */
export function drainedOrClosed(stream: Writable | Duplex | ServerResponse): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Writes `chunk` and resolves once the stream handed it on (its buffer may then be reused), or is gone. */
export function writtenOrClosed(stream: Writable | Duplex | ServerResponse, chunk: Buffer): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('close', done);
      resolve();
    };
    stream.on('close', done);
    stream.write(chunk, done);
  });
}
