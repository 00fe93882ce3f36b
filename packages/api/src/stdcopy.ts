import { Transform, type TransformCallback } from 'node:stream';

/** Stream ids of Docker's 8-byte multiplexing header (moby api/pkg/stdcopy). */
export enum StdStream {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  /** A daemon-side error; it ends the stream. */
  SystemErr = 3,
}

export const STDCOPY_HEADER_LENGTH = 8;

/** Frames one payload: `[stream, 0, 0, 0, length (uint32 big-endian)]` then the bytes. */
export function frameStdStream(stream: StdStream, payload: Buffer): Buffer {
  const header = Buffer.alloc(STDCOPY_HEADER_LENGTH);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export interface StdFrame {
  stream: StdStream;
  payload: Buffer;
}

/**
 * Splits a multiplexed byte stream into frames, whatever the chunk boundaries. Object mode: each
 * output item is a `StdFrame`.
 */
export class StdStreamDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= STDCOPY_HEADER_LENGTH) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < STDCOPY_HEADER_LENGTH + length) break;
      const frame: StdFrame = {
        stream: this.pending[0] as StdStream,
        payload: this.pending.subarray(STDCOPY_HEADER_LENGTH, STDCOPY_HEADER_LENGTH + length),
      };
      this.pending = this.pending.subarray(STDCOPY_HEADER_LENGTH + length);
      this.push(frame);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.pending.length ? new Error(`multiplexed stream ended inside a frame (${this.pending.length} bytes left)`) : undefined);
  }
}

/** Content types of attach/exec/log streams (API >= 1.42 announces multiplexing explicitly). */
export const RAW_STREAM_CONTENT_TYPE = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM_CONTENT_TYPE = 'application/vnd.docker.multiplexed-stream';
