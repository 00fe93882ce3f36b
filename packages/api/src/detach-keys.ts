import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from './errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Docker's detach key syntax: comma-separated `ctrl-<key>` (a-z, @, [, \, ], ^, _) or single characters. */
export function parseDetachKeys(spec: string): Buffer {
  const codes = spec.split(',').map((key) => {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const char = ctrl[1]!.toLowerCase();
      if (char >= 'a' && char <= 'z') return char.charCodeAt(0) - 0x60;
      const index = '@[\\]^_'.indexOf(char);
      if (index >= 0) return index === 0 ? 0 : 0x1b + index - 1;
    } else if (key.length === 1) {
      return key.charCodeAt(0);
    }
    throw new InvalidArgumentError(`Unknown character: '${key}'`);
  });
  return Buffer.from(codes);
}

/**
 * Passes stdin through until the detach sequence arrives, then emits 'detach' and drops the rest (it does
 * not end: an end would close the container's stdin). Bytes that might start the sequence are held back
 * until it is clear whether they do. Chunks are searched natively, not byte by byte: stdin may be large.
 */
export class DetachKeysFilter extends Transform {
  /** How many bytes of the sequence the input ended with: held back until the next chunk tells. */
  private matched = 0;
  private detached = false;

  constructor(private readonly keys: Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.detached) {
      done();
      return;
    }
    const data = this.matched ? Buffer.concat([this.keys.subarray(0, this.matched), chunk]) : chunk;
    this.matched = 0;
    const first = this.keys[0]!;
    for (let at = data.indexOf(first); at >= 0; at = data.indexOf(first, at + 1)) {
      const length = this.matchLength(data, at);
      if (length === this.keys.length) {
        if (at > 0) this.push(data.subarray(0, at));
        this.detached = true;
        this.emit('detach');
        done();
        return;
      }
      if (at + length === data.length) {
        if (at > 0) this.push(data.subarray(0, at));
        this.matched = length;
        done();
        return;
      }
    }
    if (data.length) this.push(data);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.matched && !this.detached) this.push(this.keys.subarray(0, this.matched));
    done();
  }

  /** How many bytes of the sequence `data` holds from `at` on. */
  private matchLength(data: Buffer, at: number): number {
    let length = 0;
    while (length < this.keys.length && at + length < data.length && data[at + length] === this.keys[length]) length += 1;
    return length;
  }
}
