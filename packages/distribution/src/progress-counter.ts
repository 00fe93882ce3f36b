import { Transform, type Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';

// Docker sends a layer's Downloading, Extracting or Pushing message at most every this many bytes.
export const PROGRESS_STEP = 512 * 1024;

/** A function told how many of the layer's `total` bytes are done so far, which sends Docker's `status` progress of the layer `id` every PROGRESS_STEP bytes and at the end. */
export function progressReporter(total: number, status: string, id: string, onProgress: (message: ProgressMessage) => void): (current: number) => void {
  let reported = -PROGRESS_STEP;
  return (current) => {
    if (current - reported >= PROGRESS_STEP || (current === total && current !== reported)) {
      reported = current;
      onProgress({ status, progressDetail: { current, total }, id });
    }
  };
}

/** Passes `source` through, reporting `status` progress of the layer `id` as its bytes go by. */
export function withProgress(source: Readable, total: number, status: string, id: string, onProgress: (message: ProgressMessage) => void): Readable {
  const report = progressReporter(total, status, id, onProgress);
  let current = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      current += chunk.length;
      report(current);
      done(null, chunk);
    },
  });
  source.on('error', (err) => counter.destroy(err));
  // Its reader hears the error by reading; one that stopped early must not crash the process.
  counter.on('error', () => undefined);
  // A reader that stops early closes the source too (pipe alone would leave a file open for good).
  counter.on('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  return source.pipe(counter);
}
