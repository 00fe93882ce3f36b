import { describe, expect, it } from 'vitest';
import { progressBar } from './progress-bar.js';

describe('progressBar', () => {
  it('draws docker\'s bar and counts on a terminal wider than 110 columns', () => {
    expect(progressBar({ current: 0, total: 1087999 }, 120)).toBe(`[>${' '.repeat(50)}]       0B/1.088MB`);
    expect(progressBar({ current: 589824, total: 1087999 }, 120)).toBe(`[${'='.repeat(27)}>${' '.repeat(23)}]  589.8kB/1.088MB`);
    expect(progressBar({ current: 1087999, total: 1087999 }, 200)).toBe(`[${'='.repeat(50)}>]  1.088MB/1.088MB`);
  });

  it('leaves the bar out at 110 columns or less, and the total when the current passes it', () => {
    expect(progressBar({ current: 65536, total: 1056239 }, 110)).toBe(' 65.54kB/1.056MB');
    expect(progressBar({ current: 2000, total: 1000 }, 80)).toBe('     2kB');
    expect(progressBar({ current: 2000 }, 120)).toBe('     2kB');
    expect(progressBar({}, 120)).toBe('');
  });
});
