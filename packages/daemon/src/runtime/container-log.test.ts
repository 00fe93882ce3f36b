import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLogLine, readContainerLog } from './container-log.js';
import type { LogRecord } from './container-log.js';

describe('parseLogLine', () => {
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

