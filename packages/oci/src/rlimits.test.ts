import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { buildRlimits, rlimitType } from './rlimits.js';

describe('rlimits', () => {
  const host = { RLIMIT_NOFILE: { soft: 1024, hard: 20000 }, RLIMIT_NPROC: { soft: 500, hard: 1000 } };

  it('defaults RLIMIT_NOFILE, capped to the host hard limit', () => {
    expect(buildRlimits([], host)).toEqual([{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
    expect(buildRlimits([], {})).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
  });

  it('applies ulimits by name, capping hard and keeping soft within hard', () => {
    expect(
      buildRlimits(
        [
          { name: 'nofile', soft: 100, hard: 200 },
          { name: 'nproc', soft: 2000, hard: 4000 },
          { name: 'core', soft: -1, hard: -1 },
        ],
        host,
      ),
    ).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 200, soft: 100 },
      { type: 'RLIMIT_NPROC', hard: 1000, soft: 1000 },
      { type: 'RLIMIT_CORE', hard: Infinity, soft: Infinity },
    ]);
  });

  it('validates names and soft <= hard', () => {
    expect(rlimitType('RLIMIT_NOFILE')).toBe('RLIMIT_NOFILE');
    expect(rlimitType('memlock')).toBe('RLIMIT_MEMLOCK');
    expect(() => rlimitType('bogus')).toThrow(new InvalidArgumentError('invalid ulimit type: bogus'));
    expect(() => buildRlimits([{ name: 'nofile', soft: 10, hard: 5 }], host)).toThrow(
      'ulimit soft limit must be less than or equal to hard limit: 10 > 5',
    );
  });
});
