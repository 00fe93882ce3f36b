import { StdStream, frameStdStream } from '@berth/api';
import type { LogRecord } from '../runtime/index.js';
import { dockerLogTimestamp } from './log-query.js';

export interface LogFrameOptions {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** A TTY container's output is sent as is, else in stdcopy frames. */
  tty: boolean;
}

/**
 * Turns batches of log records into what `docker logs` reads: one buffer per batch, with one frame per
 * run of the same stream (frames are costly to demux). A line split over several records gets one
 * timestamp, at its start.
 */
export async function* framedLogBatches(batches: AsyncIterable<LogRecord[]>, options: LogFrameOptions): AsyncIterable<Buffer> {
  const midLine = { stdout: false, stderr: false };
  for await (const batch of batches) {
    const frames: Buffer[] = [];
    let run: { stream: 'stdout' | 'stderr'; parts: Buffer[] } | null = null;
    const endRun = (): void => {
      if (!run) return;
      const payload = Buffer.concat(run.parts);
      frames.push(options.tty ? payload : frameStdStream(run.stream === 'stdout' ? StdStream.Stdout : StdStream.Stderr, payload));
      run = null;
    };
    for (const record of batch) {
      if (record.stream === 'stdout' ? !options.stdout : !options.stderr) continue;
      if (run && run.stream !== record.stream) endRun();
      run ??= { stream: record.stream, parts: [] };
      if (options.timestamps && !midLine[record.stream]) run.parts.push(Buffer.from(`${dockerLogTimestamp(record.timestamp, record.time)} `));
      midLine[record.stream] = record.partial;
      run.parts.push(record.data);
    }
    endRun();
    if (frames.length) yield Buffer.concat(frames);
  }
}
