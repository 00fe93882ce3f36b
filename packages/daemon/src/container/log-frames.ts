import { STDCOPY_HEADER_LENGTH, StdStream } from '@berth/api';
import type { LogLines } from '../runtime/index.js';
import { dockerLogTimestamp } from './log-query.js';

export interface LogFrameOptions {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** A TTY container's output is sent as is, else in stdcopy frames. */
  tty: boolean;
}

/**
 * Turns chunks of log lines into what `docker logs` reads: one buffer per chunk, the lines' bytes copied
 * once into it, with one frame per run of the same stream (frames are costly to demux). A line split over
 * several records gets one timestamp, at its start. The output buffer is reused: each chunk is valid until
 * the next one is asked for.
 */
export async function* framedLogChunks(chunks: AsyncIterable<LogLines>, options: LogFrameOptions): AsyncIterable<Buffer> {
  const framer = new LogFramer(options);
  for await (const lines of chunks) {
    const framed = framer.frame(lines);
    if (framed.length) yield framed;
  }
}

/** Exported for tests; framedLogChunks is its use. */
export class LogFramer {
  /** A partial line was the last record of the stream: its continuation gets no timestamp. */
  private readonly midLine = { stdout: false, stderr: false };
  private conmonTimestamp = '';
  private dockerTimestamp = '';
  private out = Buffer.alloc(0);
  private length = 0;

  constructor(private readonly options: LogFrameOptions) {}

  /** The size of the reused output buffer (for tests). */
  get bufferSize(): number {
    return this.out.length;
  }

  frame(lines: LogLines): Buffer {
    const { options, midLine } = this;
    // Output is rarely longer than the lines it comes from; `reserve` grows it when it is.
    const need = lines.buffer.length + 64;
    this.length = 0;
    // A follower's chunks shrink to a few lines once it has caught up: a buffer a long line grew is let go.
    if (this.out.length > 4 * need) this.out = Buffer.alloc(0);
    this.reserve(need);
    let run: LogLines['stream'] | null = null;
    let header = 0;
    while (lines.next()) {
      const { stream } = lines;
      if (stream === 'stdout' ? !options.stdout : !options.stderr) continue;
      const size = lines.contentEnd - lines.contentStart;
      const stamped = options.timestamps && !midLine[stream];
      if (stamped) this.updateTimestamp(lines);
      this.reserve(STDCOPY_HEADER_LENGTH + (stamped ? this.dockerTimestamp.length : 0) + size);
      if (!options.tty && stream !== run) {
        if (run) this.endFrame(header, run);
        run = stream;
        header = this.length;
        this.length += STDCOPY_HEADER_LENGTH;
      }
      if (stamped) this.length += this.out.write(this.dockerTimestamp, this.length, 'latin1');
      midLine[stream] = lines.partial;
      this.length += lines.buffer.copy(this.out, this.length, lines.contentStart, lines.contentEnd);
    }
    if (run) this.endFrame(header, run);
    return this.out.subarray(0, this.length);
  }

  private updateTimestamp(lines: LogLines): void {
    if (lines.timestamp === this.conmonTimestamp) return;
    this.conmonTimestamp = lines.timestamp;
    this.dockerTimestamp = `${dockerLogTimestamp(lines.timestamp, lines.time)} `;
  }

  private endFrame(header: number, stream: LogLines['stream']): void {
    const { out } = this;
    out.fill(0, header, header + STDCOPY_HEADER_LENGTH);
    out[header] = stream === 'stdout' ? StdStream.Stdout : StdStream.Stderr;
    out.writeUInt32BE(this.length - header - STDCOPY_HEADER_LENGTH, header + 4);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.length + bytes));
    this.out.copy(grown, 0, 0, this.length);
    this.out = grown;
  }
}
