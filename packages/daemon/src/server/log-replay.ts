import type { Writable } from 'node:stream';
import { readContainerLog } from '../runtime/index.js';
import { drainedOrClosed } from './client-sink.js';

/** Attach with `logs=1`: what the container wrote so far, before the live stream, at the client's pace. */
export async function replayLogs(logPath: string, sinks: { stdout: Writable; stderr: Writable }): Promise<void> {
  for await (const record of readContainerLog(logPath)) {
    const sink = record.stream === 'stdout' ? sinks.stdout : sinks.stderr;
    if (!sink.write(record.data)) await drainedOrClosed(sink);
  }
}
