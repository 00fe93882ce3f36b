import { describe, expect, it } from 'vitest';
import { isTarHeader } from './tar-header.js';

/** A ustar header for a file `a` with its checksum written as Go's tar writer writes it (six octal digits, NUL, space). */
function header(): Buffer {
  const block = Buffer.alloc(512);
  block.write('a', 0, 'latin1');
  block.write('0000644\0', 100, 'latin1');
  block.write('00000000001\0', 124, 'latin1');
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(' ', 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

describe('isTarHeader', () => {
  it('takes a header whose checksum is right, with whatever follows it', () => {
    expect(isTarHeader(header())).toBe(true);
    expect(isTarHeader(Buffer.concat([header(), Buffer.from('a')]))).toBe(true);
  });

  it('refuses a short block, zeros, a wrong checksum and a checksum that is not octal', () => {
    expect(isTarHeader(header().subarray(0, 511))).toBe(false);
    expect(isTarHeader(Buffer.alloc(512))).toBe(false);
    const corrupt = header();
    corrupt[0] = 0x62;
    expect(isTarHeader(corrupt)).toBe(false);
    const text = header();
    text.write('12x4567\0', 148, 'latin1');
    expect(isTarHeader(text)).toBe(false);
  });
});
