import { describe, expect, it } from 'vitest';
import type { RuntimeSpec } from './runtime-spec.js';
import { serializeRuntimeSpec } from './serialize.js';

describe('serializeRuntimeSpec', () => {
  it('writes unlimited rlimits as 2^64-1', () => {
    const spec = {
      ociVersion: '1.0.2',
      process: { rlimits: [{ type: 'RLIMIT_CORE', hard: Infinity, soft: 5 }] },
    } as unknown as RuntimeSpec;
    expect(serializeRuntimeSpec(spec)).toBe(
      '{"ociVersion":"1.0.2","process":{"rlimits":[{"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":5}]}}',
    );
  });
});
