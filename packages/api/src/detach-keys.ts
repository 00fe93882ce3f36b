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
 * until it is clear whether they do.
 */
export class DetachKeysFilter extends Transform {
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
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched += 1;
        if (this.matched === this.keys.length) {
          if (out.length) this.push(Buffer.from(out));
          this.detached = true;
          this.emit('detach');
          done();
          return;
        }
        continue;
      }
      out.push(...this.keys.subarray(0, this.matched));
      this.matched = 0;
      if (byte === this.keys[0]) this.matched = 1;
      else out.push(byte);
    }
    if (out.length) this.push(Buffer.from(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.matched && !this.detached) this.push(this.keys.subarray(0, this.matched));
    done();
  }
}
