import { StdStream, frameStdStream } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { LogLines } from '../runtime/index.js';
import { LogFramer, framedLogChunks, type LogFrameOptions } from './log-frames.js';

async function* chunks(...texts: string[]): AsyncIterable<LogLines> {
  for (const text of texts) yield new LogLines(Buffer.from(text));
}

async function framed(options: Partial<LogFrameOptions>, ...texts: string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  // Copied: the framer reuses its buffer for the next chunk.
  for await (const chunk of framedLogChunks(chunks(...texts), { stdout: true, stderr: true, timestamps: false, tty: false, ...options })) out.push(Buffer.from(chunk));
  return out;
}

const frame = (stream: StdStream, text: string): Buffer => frameStdStream(stream, Buffer.from(text));

describe('framedLogChunks', () => {
  const first = '2024-05-01T10:00:00.5+02:00 stdout F a\n2024-05-01T10:00:00.5+02:00 stdout F b\n2024-05-01T10:00:00.5+02:00 stderr F c\n';
  const second = '2024-05-01T10:00:01Z stdout P d\n2024-05-01T10:00:02Z stdout F e\n';

  it('frames each run of one stream once per chunk', async () => {
    expect(await framed({}, first, second)).toEqual([
      Buffer.concat([frame(StdStream.Stdout, 'a\nb\n'), frame(StdStream.Stderr, 'c\n')]),
      frame(StdStream.Stdout, 'de\n'),
    ]);
  });

  it('filters streams, sends a TTY log as is, and skips chunks left empty', async () => {
    expect(await framed({ stdout: false }, first, second)).toEqual([frame(StdStream.Stderr, 'c\n')]);
    expect(Buffer.concat(await framed({ tty: true }, first, second)).toString()).toBe('a\nb\nc\nde\n');
  });

  it("puts Docker's timestamp at the start of each line, not of a partial line's continuation", async () => {
    const text = Buffer.concat(await framed({ tty: true, timestamps: true }, first, second)).toString();
    expect(text).toBe(
      [
        '2024-05-01T08:00:00.500000000Z a',
        '2024-05-01T08:00:00.500000000Z b',
        '2024-05-01T08:00:00.500000000Z c',
        '2024-05-01T10:00:01.000000000Z de',
        '',
      ].join('\n'),
    );
  });

  it('grows its buffer when the framed output outgrows the lines', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `2024-05-01T10:00:00Z ${i % 2 ? 'stderr' : 'stdout'} F\n`).join('');
    const out = Buffer.concat(await framed({ timestamps: true }, lines));
    const expected = Array.from({ length: 1000 }, (_, i) => frame(i % 2 ? StdStream.Stderr : StdStream.Stdout, '2024-05-01T10:00:00.000000000Z \n'));
    expect(out).toEqual(Buffer.concat(expected));
  });
});

describe('LogFramer', () => {
  it('lets go of the buffer a long line grew once the chunks are small again', () => {
    const framer = new LogFramer({ stdout: true, stderr: true, timestamps: true, tty: false });
    const long = `2024-05-01T10:00:00Z stdout F ${'x'.repeat(3 * 1024 * 1024)}\n`;
    expect(framer.frame(new LogLines(Buffer.from(long))).length).toBeGreaterThan(3 * 1024 * 1024);
    expect(framer.bufferSize).toBeGreaterThan(3 * 1024 * 1024);
    const small = framer.frame(new LogLines(Buffer.from('2024-05-01T10:00:01Z stdout F small\n')));
    expect(small.subarray(8).toString()).toBe('2024-05-01T10:00:01.000000000Z small\n');
    expect(framer.bufferSize).toBeLessThan(1024);
  });
});
