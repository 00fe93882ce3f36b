import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { readContainerLogLines, type ReadLogOptions } from './container-log.js';
import { LogLines, countRecords, startOfLastRecords, type LogTimeRange } from './log-lines.js';
import { rotatedLogFiles } from './log-rotation.js';

const NEWLINE = 0x0a;

/** A rotated file, gzipped or not, within `since`/`until` (never followed: nothing writes to it). */
async function* readRotatedFile(path: string, range: LogTimeRange): AsyncIterable<LogLines> {
  if (!path.endsWith('.gz')) {
    yield* readContainerLogLines(path, range);
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
  let pending: Buffer = Buffer.alloc(0);
  const unzipped = createGunzip();
  // The pipeline hands a read error to the loop through `unzipped`, and closes the file when the loop ends
  // early and destroys `unzipped`; its own outcome is the loop's.
  pipeline(file.createReadStream(), unzipped).catch(() => undefined);
  for await (const chunk of unzipped) {
    const data = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    const complete = data.lastIndexOf(NEWLINE) + 1;
    pending = data.subarray(complete);
    if (complete === 0) continue;
    const lines = new LogLines(data.subarray(0, complete), range);
    yield lines;
    if (lines.untilReached) return;
  }
}

/** A whole file's complete lines in one buffer. */
async function allLines(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // Copied: a chunk is valid until the next is read.
  for await (const lines of readRotatedFile(path, {})) chunks.push(Buffer.from(lines.buffer));
  return Buffer.concat(chunks);
}

/** A container's log across its rotated files (oldest first) and the live one, which alone is followed. */
export async function* readRotatedLog(logPath: string, maxFile: number, options: ReadLogOptions): AsyncIterable<LogLines> {
  const rotated = await rotatedLogFiles(logPath, maxFile);
  if (rotated.length === 0) {
    yield* readContainerLogLines(logPath, options);
    return;
  }
  const range: LogTimeRange = { since: options.since, until: options.until };
  if (options.tail === undefined) {
    for (const file of rotated) {
      let untilReached = false;
      for await (const lines of readRotatedFile(file, range)) {
        yield lines;
        untilReached = lines.untilReached;
      }
      if (untilReached) return;
    }
    yield* readContainerLogLines(logPath, options);
    return;
  }
  // Tail counts across files: take what the live file lacks from the rotated ones, newest first.
  let live = 0;
  for await (const lines of readContainerLogLines(logPath)) live += countRecords(lines.buffer);
  let missing = options.tail - live;
  const older: Buffer[] = [];
  for (let i = rotated.length - 1; i >= 0 && missing > 0; i--) {
    const lines = await allLines(rotated[i]!);
    const records = countRecords(lines);
    older.unshift(lines.subarray(startOfLastRecords(lines, missing, records)));
    missing -= records;
  }
  for (const lines of older) {
    const walk = new LogLines(lines, range);
    yield walk;
    if (walk.untilReached) return;
  }
  yield* readContainerLogLines(logPath, { ...options, tail: Math.min(options.tail, live) });
}
