import { describe, expect, it } from 'vitest';
import { probeSettings, resolveHealthcheck } from './health-config.js';

describe('probeSettings', () => {
  it('applies moby defaults and converts nanoseconds', () => {
    expect(probeSettings({ Healthcheck: { Test: ['CMD', 'true'] } })).toEqual({
      command: ['true'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      startPeriodMs: 0,
      startIntervalMs: 5_000,
      retries: 3,
    });
    expect(probeSettings({ Healthcheck: { Test: ['CMD', 'true'], Interval: 2e9, Timeout: 5e8, StartPeriod: 1e10, StartInterval: 1e9, Retries: 7 } })).toMatchObject({
      intervalMs: 2_000,
      timeoutMs: 500,
      startPeriodMs: 10_000,
      startIntervalMs: 1_000,
      retries: 7,
    });
  });

  it('runs CMD-SHELL under the container shell', () => {
    expect(probeSettings({ Healthcheck: { Test: ['CMD-SHELL', 'curl -f x'] } })?.command).toEqual(['/bin/sh', '-c', 'curl -f x']);
    expect(probeSettings({ Shell: ['/bin/bash', '-ec'], Healthcheck: { Test: ['CMD-SHELL', 'x'] } })?.command).toEqual(['/bin/bash', '-ec', 'x']);
  });

  it('has nothing to probe for NONE, an empty test, an unknown type or no healthcheck', () => {
    expect(probeSettings({ Healthcheck: { Test: ['NONE'] } })).toBeNull();
    expect(probeSettings({ Healthcheck: { Test: [] } })).toBeNull();
    expect(probeSettings({ Healthcheck: { Test: ['HTTP', '/'] } })).toBeNull();
    expect(probeSettings({})).toBeNull();
  });
});

describe('resolveHealthcheck', () => {
  const image = { Test: ['CMD-SHELL', 'image-check'], Interval: 5e9, Retries: 4 };
  it("takes the image's HEALTHCHECK, with the request's fields laid over it", () => {
    expect(resolveHealthcheck(undefined, image)).toEqual(image);
    expect(resolveHealthcheck({ Interval: 1e9 }, image)).toMatchObject({ Test: ['CMD-SHELL', 'image-check'], Interval: 1e9, Retries: 4 });
    expect(resolveHealthcheck({ Test: ['NONE'] }, image)).toMatchObject({ Test: ['NONE'] });
    expect(resolveHealthcheck(null, undefined)).toBeUndefined();
  });

  it("reads docker-py's nulls as unset fields and stores none (docker-compose sends StartPeriod: null)", () => {
    const requested = { Test: ['CMD', 'true'], Interval: 1e9, Timeout: null, Retries: 30, StartPeriod: null };
    expect(resolveHealthcheck(requested, undefined)).toEqual({ Test: ['CMD', 'true'], Interval: 1e9, Retries: 30 });
    expect(resolveHealthcheck({ ...requested, Test: null }, image)).toEqual({ Test: ['CMD-SHELL', 'image-check'], Interval: 1e9, Retries: 30 });
    // A null Test or Retries takes the image's, as an unset one does.
    expect(resolveHealthcheck({ ...requested, Test: null, Retries: null }, image)).toEqual({ Test: ['CMD-SHELL', 'image-check'], Interval: 1e9, Retries: 4 });
  });

  it('rejects what dockerd rejects', () => {
    expect(() => resolveHealthcheck({ Test: ['CMD', 'true'], Timeout: 10 }, undefined)).toThrow('Timeout in Healthcheck cannot be less than 1ms');
    expect(() => resolveHealthcheck({ Test: ['CMD', 'true'], Retries: -1 }, undefined)).toThrow('Retries in Healthcheck cannot be negative');
  });
});
