import { describe, expect, it } from 'vitest';
import { LogLines, countRecords, startOfLastRecords } from './log-lines.js';

const walk = (lines: LogLines): string[] => {
  const seen: string[] = [];
  while (lines.next()) seen.push(`${lines.stream}:${lines.partial ? 'P' : 'F'}:${lines.data().toString()}`);
  return seen;
};

describe('LogLines', () => {
  it('walks complete and partial records, skipping malformed lines', () => {
    const text = [
      '2024-05-01T10:00:00.000000001+00:00 stdout F one',
      'garbage',
      '2024-05-01T10:00:00.000000001+00:00 stderr P par',
      '2024-05-01T10:00:00.000000001+00:00 stdin F x',
      '2024-05-01T10:00:00.000000002+00:00 stderr F tial',
      '2024-05-01T10:00:00.000000002+00:00 stdout F',
      'not-a-time stdout F x',
      '2024-05-01T10:00:00.000000002+00:00 stdout Fx',
      '',
    ].join('\n');
    expect(walk(new LogLines(Buffer.from(text)))).toEqual(['stdout:F:one\n', 'stderr:P:par', 'stderr:F:tial\n', 'stdout:F:\n']);
  });

  it('reads a shorter timestamp after a longer one even where the longer one would end at a space', () => {
    // Position 35 of the second line is a space inside its content: it must not be taken for the timestamp's end.
    const text = '2024-05-01T10:00:00.123456789+00:00 stdout F a\n2024-05-01T10:00:01Z stdout F abcdef ghi\n';
    const lines = new LogLines(Buffer.from(text));
    expect(walk(lines)).toEqual(['stdout:F:a\n', 'stdout:F:abcdef ghi\n']);
    expect(lines.timestamp).toBe('2024-05-01T10:00:01Z');
  });

  it('keeps records within since and stops at the first one after until', () => {
    const text = ['2024-05-01T10:00:00Z stdout F a', '2024-05-01T10:00:01Z stdout F b', '2024-05-01T10:00:02Z stdout F c', '2024-05-01T10:00:03Z stdout F d', ''].join('\n');
    const lines = new LogLines(Buffer.from(text), { since: new Date('2024-05-01T10:00:01Z'), until: new Date('2024-05-01T10:00:02Z') });
    expect(walk(lines)).toEqual(['stdout:F:b\n', 'stdout:F:c\n']);
    expect(lines.untilReached).toBe(true);
  });

  it('finds where the last records start', () => {
    const buffer = Buffer.from('2024-05-01T10:00:00Z stdout F a\nbad\n2024-05-01T10:00:01Z stdout F b\n2024-05-01T10:00:02Z stdout F c\n');
    expect(countRecords(buffer)).toBe(3);
    expect(buffer.subarray(startOfLastRecords(buffer, 2)).toString()).toBe('2024-05-01T10:00:01Z stdout F b\n2024-05-01T10:00:02Z stdout F c\n');
    expect(startOfLastRecords(buffer, 5)).toBe(0);
    expect(startOfLastRecords(buffer, 0)).toBe(buffer.length);
  });
});
