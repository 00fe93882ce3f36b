import { describe, expect, it } from 'vitest';
import { formatEventLine } from './event-line.js';

describe('formatEventLine', () => {
  it('prints docker events default line with sorted attributes', () => {
    const line = formatEventLine({
      Type: 'container',
      Action: 'start',
      Actor: { ID: 'abc123', Attributes: { name: 'x', image: 'busybox' } },
      scope: 'local',
      time: 1767225600,
      timeNano: 1767225600_000000000,
    });
    expect(line).toBe('2026-01-01T00:00:00.000000000Z container start abc123 (image=busybox, name=x)\n');
  });

  it('omits the parentheses without attributes and keeps sub-second digits', () => {
    const line = formatEventLine({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1', Attributes: {} }, scope: 'local', time: 1767225600, timeNano: 1767225600_123000000 });
    expect(line).toBe('2026-01-01T00:00:00.123000000Z image tag sha256:1\n');
  });
});
