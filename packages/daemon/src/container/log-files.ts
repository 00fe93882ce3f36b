import { readContainerLogBatches, type LogRecord, type ReadLogOptions } from '../runtime/index.js';
import { rotatedLogFiles } from './log-rotation.js';

async function allRecords(path: string, options: ReadLogOptions): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of readContainerLogBatches(path, { since: options.since, until: options.until })) records.push(...batch);
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
    for (const file of rotated) yield* readContainerLogBatches(file, { since: options.since, until: options.until });
    yield* readContainerLogBatches(logPath, options);
    return;
  }
  // Tail counts across files: take what the live file lacks from the rotated ones, newest first.
  const live = await allRecords(logPath, {});
  let missing = options.tail - live.length;
  const older: LogRecord[][] = [];
  for (let i = rotated.length - 1; i >= 0 && missing > 0; i--) {
    const records = await allRecords(rotated[i]!, {});
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
