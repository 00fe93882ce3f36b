import { describe, expect, it } from 'vitest';
import { timeAgo } from './human-duration.js';

const MINUTE = 60_000;

describe('timeAgo', () => {
  it('measures from a Unix timestamp in seconds', () => {
    expect(timeAgo(1_700_000_000, 1_700_000_000_000 + 3 * MINUTE)).toBe('3 minutes ago');
  });
});
