import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parseLogLine, readContainerLogBatches, type LogRecord, type ReadLogOptions } from './container-log.js';
import { rotatedLogFiles } from './log-rotation.js';

const NEWLINE = 0x0a;

/** A rotated file, gzipped or not, within `since`/`until` (never followed: nothing writes to it). */
async function* readRotatedFile(path: string, options: ReadLogOptions): AsyncIterable<LogRecord[]> {
  if (!path.endsWith('.gz')) {
    yield* readContainerLogBatches(path, { since: options.since, until: options.until });
    return;
  }
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    // Rotation renamed it since it was listed: its lines are in the next file's name now, or gone.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let pending = Buffer.alloc(0);
  const lines = createGunzip();
  // The pipeline hands a read error to the loop through `lines`, and closes the file when the loop ends
  // early and destroys `lines`; its own outcome is the loop's.
  pipeline(file.createReadStream(), lines).catch(() => undefined);
  for await (const chunk of lines) {
    const data = Buffer.concat([pending, chunk as Buffer]);
    const batch: LogRecord[] = [];
    let start = 0;
    let newline: number;
    while ((newline = data.indexOf(NEWLINE, start)) >= 0) {
      const record = parseLogLine(data.subarray(start, newline));
      start = newline + 1;
      if (!record || (options.since && record.time < options.since)) continue;
      if (options.until && record.time > options.until) {
        if (batch.length) yield batch;
        return;
      }
      batch.push(record);
    }
    pending = data.subarray(start);
    if (batch.length) yield batch;
  }
}

async function allRecords(path: string): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of readRotatedFile(path, {})) records.push(...batch);
  return records;
}

/** A container's log across its rotated files (oldest first) and the live one, which alone is followed. */
export async function* readRotatedLog(logPath: string, maxFile: number, options: ReadLogOptions): AsyncIterable<LogRecord[]> {
  const rotated = await rotatedLogFiles(logPath, maxFile);
  if (rotated.length === 0) {
    yield* readContainerLogBatches(logPath, options);
    return;
  }
  if (options.tail === undefined) {
    for (const file of rotated) yield* readRotatedFile(file, options);
    yield* readContainerLogBatches(logPath, options);
    return;
  }
  // Tail counts across files: take what the live file lacks from the rotated ones, newest first.
  const live = await allRecords(logPath);
  let missing = options.tail - live.length;
  const older: LogRecord[][] = [];
  for (let i = rotated.length - 1; i >= 0 && missing > 0; i--) {
    const records = await allRecords(rotated[i]!);
    older.unshift(records.slice(Math.max(0, records.length - missing)));
    missing -= records.length;
  }
  const inRange = (r: LogRecord): boolean => (!options.since || r.time >= options.since) && (!options.until || r.time <= options.until);
  for (const records of older) {
    const batch = records.filter(inRange);
    if (batch.length) yield batch;
  }
  yield* readContainerLogBatches(logPath, { ...options, tail: Math.min(options.tail, live.length) });
}
