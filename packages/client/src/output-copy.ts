import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InternalError, StdStream, StdStreamDemuxer, type StdFrame } from '@berth/api';
import { daemonError } from './daemon-errors.js';

/**
 * Copies a multiplexed (stdcopy) stream to stdout and stderr until it ends, honouring back-pressure
 * on both. The destinations stay open: they are usually the process's own stdout and stderr.
 * A system-error frame is the daemon reporting a failure and ends the copy with that error.
 */
export async function demuxOutput(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  const sink = new Writable({
    objectMode: true,
    write(frame: StdFrame, _encoding, done) {
      if (frame.stream === StdStream.SystemErr) {
        done(daemonError(500, frame.payload.toString('utf8')));
        return;
      }
      const target = frame.stream === StdStream.Stderr ? stderr : frame.stream === StdStream.Stdout ? stdout : undefined;
      writeWithBackPressure(target, frame.payload, done);
    },
  });
  await pipeline(source, new StdStreamDemuxer(), sink);
}

/** The copy of a stream of container output to stdout and stderr: demultiplexed (stdcopy frames) or raw (a TTY). */
export function outputCopier(source: Readable, multiplexed: boolean): (stdout: Writable, stderr: Writable) => Promise<void> {
  return (stdout, stderr) => (multiplexed ? demuxOutput(source, stdout, stderr) : copyRawOutput(source, stdout));
}

/** Copies a raw (TTY) stream to `destination` until it ends, leaving `destination` open. */
export async function copyRawOutput(source: Readable, destination: Writable): Promise<void> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeWithBackPressure(destination, chunk, done);
    },
  });
  await pipeline(source, sink);
}

function writeWithBackPressure(target: Writable | undefined, payload: Buffer, done: (err?: Error) => void): void {
  if (!target) {
    done();
    return;
  }
  if (target.destroyed) {
    done(new InternalError('output stream closed'));
    return;
  }
  if (target.write(payload)) done();
  else target.once('drain', () => done());
}
