import { PassThrough, type Readable, type Writable } from 'node:stream';

/**
 * Copies `source` into two streams at the pace of the slower one. When one of them goes away (the
 * client hangs up, or the cache write fails) the copy goes on for the other; an error of the source
 * ends both with it.
 */
export function fanOut(source: Readable): { first: PassThrough; second: PassThrough; done: Promise<void> } {
  const first = new PassThrough();
  const second = new PassThrough();
  // Each reader hears the error through its own listeners; one that already left must not crash the process.
  for (const target of [first, second]) target.on('error', () => undefined);
  const done = copy(source, [first, second]);
  return { first, second, done };
}

async function copy(source: Readable, targets: PassThrough[]): Promise<void> {
  try {
    for await (const chunk of source) {
      const live = targets.filter((target) => !target.destroyed);
      if (live.length === 0) {
        source.destroy();
        return;
      }
      await Promise.all(live.filter((target) => !target.write(chunk)).map(drained));
    }
    for (const target of targets) target.end();
  } catch (err) {
    for (const target of targets) target.destroy(err as Error);
  }
}

/** Resolves when the stream can take more, or will never need to (closed). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}
