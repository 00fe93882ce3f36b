import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogReader, readContainerLog } from './container-log.js';
import type { LogRecord } from './container-log.js';
import { LogLines } from './log-lines.js';

/** One k8s-file line (without its `\n`) as a record, or null when malformed. */
function parseLogLine(line: Buffer): LogRecord | null {
  const lines = new LogLines(Buffer.concat([line, Buffer.from('\n')]));
  return lines.next() ? lines.record() : null;
}

describe('LogLines records', () => {
  it('reads complete and partial k8s-file records, keeping spaces in the content', () => {
    const full = parseLogLine(Buffer.from('2024-05-01T10:00:00.123456789+00:00 stderr F  two  spaces'));
    expect(full).toMatchObject({ stream: 'stderr', partial: false, timestamp: '2024-05-01T10:00:00.123456789+00:00' });
    expect(full?.data.toString()).toBe(' two  spaces\n');
    expect(full?.time.toISOString()).toBe('2024-05-01T10:00:00.123Z');
    const partial = parseLogLine(Buffer.from('2024-05-01T10:00:00Z stdout P abc'));
    expect(partial?.partial).toBe(true);
    expect(partial?.data.toString()).toBe('abc');
  });

  it('accepts an empty line and rejects malformed ones', () => {
    expect(parseLogLine(Buffer.from('2024-05-01T10:00:00Z stdout F'))?.data.toString()).toBe('\n');
    expect(parseLogLine(Buffer.from('garbage'))).toBeNull();
    expect(parseLogLine(Buffer.from('2024-05-01T10:00:00Z stdin F x'))).toBeNull();
    expect(parseLogLine(Buffer.from('not-a-time stdout F x'))).toBeNull();
  });
});

describe('readContainerLog', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
    path = join(dir, 'container.log');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields nothing for a missing log', async () => {
    const records: LogRecord[] = [];
    for await (const record of readContainerLog(path, { follow: false })) records.push(record);
    expect(records).toEqual([]);
  });

  it('holds back a line until its newline arrives while following, and filters by until', async () => {
    await writeFile(path, '2024-05-01T10:00:00Z stdout F first\n2024-05-01T10:00:01Z stdout F sec');
    let stop!: () => void;
    const stopWhen = new Promise<void>((resolve) => (stop = resolve));
    const seen: string[] = [];
    const reading = (async () => {
      for await (const record of readContainerLog(path, { follow: true, stopWhen })) {
        seen.push(record.data.toString());
        if (seen.length === 1) await appendFile(path, 'ond\n2024-05-01T10:00:02Z stderr F third\n');
        if (seen.length === 3) stop();
      }
    })();
    await reading;
    expect(seen).toEqual(['first\n', 'second\n', 'third\n']);

    const early: string[] = [];
    for await (const record of readContainerLog(path, { until: new Date('2024-05-01T10:00:01Z') })) early.push(record.data.toString());
    expect(early).toEqual(['first\n', 'second\n']);
  });

  it('ends a follow when its signal aborts', async () => {
    await writeFile(path, '2024-05-01T10:00:00Z stdout F only\n');
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const record of readContainerLog(path, { follow: true, signal: controller.signal })) {
      seen.push(record.data.toString());
      controller.abort();
    }
    expect(seen).toEqual(['only\n']);
  });

  it('reads lines longer than a chunk, and keeps records valid after the next chunk is read', async () => {
    const long = 'x'.repeat(3 * 1024 * 1024);
    const short = Array.from({ length: 40000 }, (_, i) => `2024-05-01T10:00:00Z stdout F line ${i}\n`).join('');
    await writeFile(path, `${short}2024-05-01T10:00:01Z stderr F ${long}\n${short}`);
    const records: LogRecord[] = [];
    for await (const record of readContainerLog(path)) records.push(record);
    expect(records).toHaveLength(80001);
    expect(records[0]?.data.toString()).toBe('line 0\n');
    expect(records[40000]?.data.length).toBe(long.length + 1);
    expect(records[40000]?.stream).toBe('stderr');
    expect(records.map((r) => r.data.toString()).filter((text, i) => i !== 40000 && text !== `line ${i % 40001}\n`)).toEqual([]);
  });
});

describe('LogReader', () => {
  let dir: string;
  let path: string;
  let reader: LogReader | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-log-reader-'));
    path = join(dir, 'container.log');
  });
  afterEach(async () => {
    await reader?.close();
    reader = null;
    await rm(dir, { recursive: true, force: true });
  });

  const line = (n: number, size: number): string => `2024-05-01T10:00:00Z stdout F ${String(n).padEnd(size, 'x')}\n`;
  const readAll = async (r: LogReader): Promise<string[]> => {
    const out: string[] = [];
    for (let lines = await r.readSome({}); lines; lines = await r.readSome({})) {
      while (lines.next()) out.push(lines.buffer.toString('utf8', lines.contentStart, lines.contentStart + 4));
    }
    return out;
  };

  it('lets go of the buffer a 3 MiB line grew once a follower has read to the end, and regrows it for a burst', async () => {
    await writeFile(path, line(1, 3 * 1024 * 1024) + line(2, 10));
    reader = await LogReader.open(path);
    expect(await readAll(reader!)).toEqual(['1xxx', '2xxx']);
    expect(reader!.bufferSize).toBeGreaterThan(3 * 1024 * 1024);
    reader!.shrinkWhileWaiting();
    expect(reader!.bufferSize).toBeLessThanOrEqual(64 * 1024);

    await appendFile(path, line(3, 100));
    expect(await readAll(reader!)).toEqual(['3xxx']);
    expect(reader!.bufferSize).toBeLessThanOrEqual(64 * 1024);

    const burst = Array.from({ length: 2000 }, (_, i) => line(4 + i, 200)).join('');
    await appendFile(path, burst);
    expect(await readAll(reader!)).toHaveLength(2000);
    expect(reader!.bufferSize).toBe(1024 * 1024);
  });

  it('keeps a line still being written across the shrink', async () => {
    await writeFile(path, line(1, 200 * 1024) + '2024-05-01T10:00:00Z stdout F par');
    reader = await LogReader.open(path);
    expect(await readAll(reader!)).toEqual(['1xxx']);
    reader!.shrinkWhileWaiting();
    await appendFile(path, 'tial\n');
    const lines = await reader!.readSome({});
    expect(lines?.next()).toBe(true);
    expect(lines!.buffer.toString('utf8', lines!.contentStart, lines!.contentEnd)).toBe('partial\n');
  });

  it('scans for the last records in a small block, larger only when the lines are long', async () => {
    await writeFile(path, Array.from({ length: 100 }, (_, i) => line(i, 10)).join(''));
    reader = await LogReader.open(path);
    await reader!.seekToLastRecords(3);
    expect(reader!.tailScanSize).toBe(64 * 1024);
    expect(await readAll(reader!)).toEqual(['97xx', '98xx', '99xx']);
    await reader!.close();

    await writeFile(path, [1, 2, 3, 4].map((n) => line(n, 300 * 1024)).join(''));
    reader = await LogReader.open(path);
    await reader!.seekToLastRecords(2);
    expect(reader!.tailScanSize).toBeGreaterThan(64 * 1024);
    expect(await readAll(reader!)).toEqual(['3xxx', '4xxx']);
  });
});
