import { describe, expect, it } from 'vitest';
import { goDuration } from './health-probe.js';

describe('goDuration', () => {
  it("prints timeouts as Go's Duration.String does", () => {
    expect(goDuration(300)).toBe('300ms');
    expect(goDuration(30_000)).toBe('30s');
    expect(goDuration(1_500)).toBe('1.5s');
    expect(goDuration(90_000)).toBe('1m30s');
    expect(goDuration(3_600_000)).toBe('1h0m0s');
  });
});
