import type { RuntimeSpec } from './runtime-spec.js';

/** RLIM_INFINITY as an unsigned 64-bit integer, which no JS number can carry exactly. */
const RLIM_INFINITY = '18446744073709551615';
/** A string no real spec value contains, swapped for RLIM_INFINITY after stringifying. */
const MARKER = '\u0000rlim-infinity\u0000';

/**
 * JSON for config.json. Unlimited rlimits are `Infinity` in memory and must reach the runtime as
 * 2^64-1 (JSON.stringify would write `null`, which Go reads as 0).
 */
export function serializeRuntimeSpec(spec: RuntimeSpec): string {
  const json = JSON.stringify(spec, (key, value: unknown) =>
    (key === 'hard' || key === 'soft') && value === Infinity ? MARKER : value,
  );
  return json.replaceAll(JSON.stringify(MARKER), RLIM_INFINITY);
}
