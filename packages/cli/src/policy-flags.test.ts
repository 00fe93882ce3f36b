import { describe, expect, it } from 'vitest';
import { applyPolicyFlags } from './policy-flags.js';

const base = () => ({ Image: 'busybox', HostConfig: { AutoRemove: false } });

describe('applyPolicyFlags', () => {
  it('sends the restart policy as docker does', () => {
    expect(applyPolicyFlags(base(), { restart: 'on-failure:3' }).HostConfig).toEqual({ AutoRemove: false, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
    expect(applyPolicyFlags(base(), { restart: 'always' }).HostConfig?.RestartPolicy).toEqual({ Name: 'always', MaximumRetryCount: 0 });
    expect(() => applyPolicyFlags(base(), { restart: 'on-failure:x' })).toThrow('maximum retry count must be an integer');
    expect(() => applyPolicyFlags(base(), { restart: ':3' })).toThrow('no policy provided before colon');
    expect(() => applyPolicyFlags(base(), { restart: 'always', rm: true })).toThrow('conflicting options: cannot specify both --restart and --rm');
  });

  it('builds a CMD-SHELL healthcheck with durations in nanoseconds', () => {
    expect(applyPolicyFlags(base(), { healthCmd: 'true', healthInterval: '1m30s', healthTimeout: '500ms', healthRetries: '2' }).Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'true'],
      Interval: 90e9,
      Timeout: 500e6,
      Retries: 2,
    });
    expect(applyPolicyFlags(base(), {}).Healthcheck).toBeUndefined();
  });

  it('sends NONE for --no-healthcheck and refuses it with --health-* flags', () => {
    expect(applyPolicyFlags(base(), { healthcheck: false }).Healthcheck).toEqual({ Test: ['NONE'] });
    expect(() => applyPolicyFlags(base(), { healthcheck: false, healthCmd: 'true' })).toThrow('--no-healthcheck conflicts with --health-* options');
    expect(() => applyPolicyFlags(base(), { healthInterval: '-1s' })).toThrow('--health-interval cannot be negative');
    expect(() => applyPolicyFlags(base(), { healthTimeout: 'soon' })).toThrow('invalid duration');
  });
});
