import { describe, expect, it } from 'vitest';
import { ellipsis } from './ellipsis.js';
import { goQuote } from './go-quote.js';
import { truncateId } from './ids.js';

describe('truncateId', () => {
  it('drops the sha256: prefix and keeps 12 characters', () => {
    expect(truncateId('sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a')).toBe('beae173ccac6');
    expect(truncateId('4f1b6e2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e')).toBe('4f1b6e2f3a9c');
    expect(truncateId('abc')).toBe('abc');
  });
});

describe('ellipsis', () => {
  it('keeps text that fits and cuts the rest to the width with "…"', () => {
    expect(ellipsis('sh', 20)).toBe('sh');
    expect(ellipsis('12345678901234567890', 20)).toBe('12345678901234567890');
    expect(ellipsis("sh -c 'while true; do sleep 1; done'", 20)).toBe("sh -c 'while true; …");
  });
});

describe('goQuote', () => {
  it('quotes like Go strconv.Quote', () => {
    expect(goQuote('sleep 3600')).toBe('"sleep 3600"');
    expect(goQuote('echo "hi"\n')).toBe('"echo \\"hi\\"\\n"');
    expect(goQuote('a\\b\x00\x1b')).toBe('"a\\\\b\\x00\\x1b"');
    expect(goQuote('sh -c …')).toBe('"sh -c …"');
  });
});
