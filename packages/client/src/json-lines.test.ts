import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonLines } from './json-lines.js';

async function collect(chunks: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of readJsonLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(item);
  return out;
}

describe('readJsonLines', () => {
  it('parses lines split anywhere, with CRLF, blank lines and no final newline', async () => {
    expect(await collect(['{"stream":"a\\n"}\r\n{"st', 'ream":"b"}\n\n', '{"status":"c"}'])).toEqual([
      { stream: 'a\n' },
      { stream: 'b' },
      { status: 'c' },
    ]);
  });
});
