import type { Command } from 'commander';
import { InvalidArgumentError, parseGoDuration, type ContainerCreateRequest, type HealthConfig } from '@berth/api';

/** The run/create flags for the restart policy and the healthcheck. */
export interface PolicyFlags {
  rm?: boolean;
  restart?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthRetries?: string;
  /** commander's negation of --no-healthcheck: false when given. */
  healthcheck?: boolean;
}

export function withPolicyOptions(command: Command): Command {
  return command
    .option('--restart <string>', 'Restart policy to apply when a container exits (default "no")')
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h) (default 0s)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
    .option('--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
    .option('--health-start-interval <duration>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK');
}

/** Adds HostConfig.RestartPolicy and Healthcheck as the docker CLI does, with its client-side checks. */
export function applyPolicyFlags(config: ContainerCreateRequest, flags: PolicyFlags): ContainerCreateRequest {
  if (flags.restart !== undefined) {
    const policy = parseRestartFlag(flags.restart);
    if (flags.rm && policy.Name !== 'no' && policy.Name !== '') throw new InvalidArgumentError('conflicting options: cannot specify both --restart and --rm');
    config.HostConfig = { ...config.HostConfig, RestartPolicy: policy };
  }
  const healthcheck = healthConfig(flags);
  if (healthcheck) config.Healthcheck = healthcheck;
  return config;
}

/** docker/cli opts.ParseRestartPolicy: only the syntax; the daemon validates the name. */
function parseRestartFlag(text: string): { Name: string; MaximumRetryCount: number } {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const count = colon < 0 ? '' : text.slice(colon + 1);
  if (colon >= 0 && name === '') throw new InvalidArgumentError('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new InvalidArgumentError('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

function healthConfig(flags: PolicyFlags): HealthConfig | undefined {
  const durations = {
    interval: flags.healthInterval,
    timeout: flags.healthTimeout,
    'start-period': flags.healthStartPeriod,
    'start-interval': flags.healthStartInterval,
  };
  const haveSettings = flags.healthCmd !== undefined || flags.healthRetries !== undefined || Object.values(durations).some((v) => v !== undefined);
  if (flags.healthcheck === false) {
    if (haveSettings) throw new InvalidArgumentError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!haveSettings) return undefined;
  const ns = (name: keyof typeof durations): number => {
    const text = durations[name];
    if (text === undefined) return 0;
    const value = parseGoDuration(text);
    if (value === null) throw new InvalidArgumentError(`invalid argument "${text}" for "--health-${name}" flag: time: invalid duration "${text}"`);
    if (value < 0) throw new InvalidArgumentError(`--health-${name} cannot be negative`);
    return value;
  };
  const retries = flags.healthRetries === undefined ? 0 : Number(flags.healthRetries);
  if (!Number.isInteger(retries)) throw new InvalidArgumentError(`invalid argument "${flags.healthRetries}" for "--health-retries" flag`);
  if (retries < 0) throw new InvalidArgumentError('--health-retries cannot be negative');
  const fields = { Interval: ns('interval'), Timeout: ns('timeout'), StartPeriod: ns('start-period'), StartInterval: ns('start-interval'), Retries: retries };
  // Go's omitempty: docker leaves out the zero ones.
  return {
    ...(flags.healthCmd ? { Test: ['CMD-SHELL', flags.healthCmd] } : {}),
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== 0)),
  };
}
