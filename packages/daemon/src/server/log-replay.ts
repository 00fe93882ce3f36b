import { StdStream } from '@berth/api';
import { readContainerLog } from '../runtime/index.js';

/** Attach with `logs=1`: what the container wrote so far, before the live stream. */
export async function replayLogs(logPath: string, writer: (stream: StdStream) => (data: Buffer) => void): Promise<void> {
  const stdout = writer(StdStream.Stdout);
  const stderr = writer(StdStream.Stderr);
  for await (const record of readContainerLog(logPath)) (record.stream === 'stdout' ? stdout : stderr)(record.data);
}
