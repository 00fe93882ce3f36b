import { describe, expect, it } from 'vitest';
import { DetachKeysFilter, parseDetachKeys } from './detach-keys.js';

async function filter(keys: string, chunks: string[]): Promise<{ passed: string; detached: boolean }> {
  const stream = new DetachKeysFilter(parseDetachKeys(keys));
  let passed = '';
  let detached = false;
  stream.on('data', (d: Buffer) => (passed += d.toString('latin1')));
  stream.on('detach', () => (detached = true));
  for (const chunk of chunks) stream.write(Buffer.from(chunk, 'latin1'));
  stream.end();
  await new Promise((resolve) => setImmediate(resolve));
  return { passed, detached };
}

describe('detach keys', () => {
  it('parses ctrl combinations and plain characters', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([0x10, 0x11]);
    expect([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-_,a')]).toEqual([0, 0x1b, 0x1f, 0x61]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow();
  });

  it('detaches on the sequence, even split across chunks, and drops what follows', async () => {
    expect(await filter('ctrl-p,ctrl-q', ['ab\x10', '\x11cd'])).toEqual({ passed: 'ab', detached: true });
  });

  it('passes a prefix of the sequence on when the sequence does not complete', async () => {
    expect(await filter('ctrl-p,ctrl-q', ['a\x10b', '\x10'])).toEqual({ passed: 'a\x10b\x10', detached: false });
    expect(await filter('ctrl-p,ctrl-q', ['\x10\x10\x11'])).toEqual({ passed: '\x10', detached: true });
  });

  it('holds a partial sequence across chunks and finds it where a longer false start overlaps it', async () => {
    expect(await filter('ctrl-a,ctrl-b,ctrl-c', ['x\x01', '\x02', '\x03y'])).toEqual({ passed: 'x', detached: true });
    expect(await filter('a,a,b', ['xaaab'])).toEqual({ passed: 'xa', detached: true });
  });

  it('passes large input without the sequence unchanged, whatever bytes it holds', async () => {
    const input = Buffer.alloc(1 << 20, 0);
    for (let i = 0; i < input.length; i++) input[i] = i % 256 === 0x11 ? 0x12 : i % 256;
    const { passed, detached } = await filter('ctrl-p,ctrl-q', [input.subarray(0, 1000).toString('latin1'), input.subarray(1000).toString('latin1')]);
    expect(detached).toBe(false);
    expect(Buffer.from(passed, 'latin1').equals(input)).toBe(true);
  });
});
