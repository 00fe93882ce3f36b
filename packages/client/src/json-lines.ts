import type { Readable } from 'node:stream';

/** Parses a newline-delimited JSON stream (Docker's progress format), tolerating any chunking. */
export async function* readJsonLines<T>(stream: Readable): AsyncGenerator<T> {
  let pending = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  const last = pending.trim();
  if (last) yield JSON.parse(last) as T;
}
