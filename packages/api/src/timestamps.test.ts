import { describe, expect, it } from 'vitest';
import { rfc3339Nano } from './timestamps.js';

describe('rfc3339Nano', () => {
  it('drops the trailing zeros of the fraction, as Go does', () => {
    expect(rfc3339Nano(new Date('2026-12-06T13:30:00.120Z'))).toBe('2026-12-06T13:30:00.12Z');
    expect(rfc3339Nano(new Date('2026-12-06T13:30:00.000Z'))).toBe('2026-12-06T13:30:00Z');
    expect(rfc3339Nano(new Date('2026-12-06T13:30:10.007Z'))).toBe('2026-12-06T13:30:10.007Z');
  });
});
