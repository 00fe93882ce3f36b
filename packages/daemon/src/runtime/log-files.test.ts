import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRotatedLog } from './log-files.js';
import type { ReadLogOptions } from './container-log.js';

const time = (n: number): string => `2024-05-01T10:00:0${n}Z`;
const records = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${time(from + i)} stdout F line${from + i}\n`).join('');

describe('readRotatedLog', () => {
  let dir: string;
  let logPath: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'log-files-'));
    logPath = join(dir, 'ctr.log');
    // Oldest first: a gzipped rotated file, a plain one, then the live file.
    await writeFile(`${logPath}.2.gz`, gzipSync(records(1, 3)));
    await writeFile(`${logPath}.1`, records(4, 6));
    await writeFile(logPath, records(7, 9));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (options: ReadLogOptions): Promise<string[]> => {
    const out: string[] = [];
    for await (const lines of readRotatedLog(logPath, 3, options)) {
      while (lines.next()) out.push(lines.buffer.toString('utf8', lines.contentStart, lines.contentEnd - 1));
    }
    return out;
  };
  const lines = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `line${from + i}`);

  it('takes the last records across the live file, a plain and a gzipped rotated file', async () => {
    expect(await read({ tail: 2 })).toEqual(lines(8, 9));
    expect(await read({ tail: 3 })).toEqual(lines(7, 9));
    expect(await read({ tail: 5 })).toEqual(lines(5, 9));
    expect(await read({ tail: 6 })).toEqual(lines(4, 9));
    expect(await read({ tail: 8 })).toEqual(lines(2, 9));
    expect(await read({ tail: 100 })).toEqual(lines(1, 9));
    expect(await read({ tail: 0 })).toEqual([]);
    expect(await read({})).toEqual(lines(1, 9));
  });

  it('applies since and until to the last records, as docker does', async () => {
    expect(await read({ tail: 8, since: new Date(time(4)) })).toEqual(lines(4, 9));
    expect(await read({ tail: 8, until: new Date(time(5)) })).toEqual(lines(2, 5));
    expect(await read({ tail: 5, since: new Date(time(3)), until: new Date(time(7)) })).toEqual(lines(5, 7));
  });
});
