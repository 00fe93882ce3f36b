import { Transform, type Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';

// Docker sends a layer's Downloading, Extracting or Pushing message at most every this many bytes.
export const PROGRESS_STEP = 512 * 1024;

/** Passes `source` through, reporting `status` progress of the layer `id` as its bytes go by. */
export function withProgress(source: Readable, total: number, status: string, id: string, onProgress: (message: ProgressMessage) => void): Readable {
  let current = 0;
  let reported = -PROGRESS_STEP;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      current += chunk.length;
      if (current - reported >= PROGRESS_STEP || current === total) {
        reported = current;
        onProgress({ status, progressDetail: { current, total }, id });
      }
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
