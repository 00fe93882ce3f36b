import { InvalidArgumentError } from '@berth/api';

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** Only meaningful for 'on-failure'; 0 means no limit. */
  maximumRetryCount: number;
}

/** HostConfig.RestartPolicy as it arrives over the API. */
export interface ApiRestartPolicy {
  Name?: string;
  MaximumRetryCount?: number;
}

const POLICY_NAMES: readonly RestartPolicyName[] = ['no', 'always', 'on-failure', 'unless-stopped'];
const NO_RESTART: RestartPolicy = { name: 'no', maximumRetryCount: 0 };

/**
 * Accepts both the API object and the CLI's `--restart` string, and applies the daemon's validation to
 * either, so a bad policy fails with the message dockerd would send.
 */
export function parseRestartPolicy(input: string | ApiRestartPolicy | undefined | null): RestartPolicy {
  if (input === undefined || input === null) return { ...NO_RESTART };
  const candidate = typeof input === 'string' ? splitCliPolicy(input) : input;
  return validate(candidate.Name ?? '', candidate.MaximumRetryCount ?? 0);
}

/** The inverse of parseRestartPolicy's string form: 'on-failure:3', 'always', … */
export function formatRestartPolicy(p: RestartPolicy): string {
  return p.name === 'on-failure' && p.maximumRetryCount > 0 ? `on-failure:${p.maximumRetryCount}` : p.name;
}

/** The CLI's syntactic step (docker/cli opts.ParseRestartPolicy): "name[:count]". */
function splitCliPolicy(policy: string): ApiRestartPolicy {
  if (policy === '') return {};
  const colon = policy.indexOf(':');
  if (colon === -1) return { Name: policy };
  const name = policy.slice(0, colon);
  const count = policy.slice(colon + 1);
  if (name === '') throw new InvalidArgumentError('invalid restart policy format: no policy provided before colon');
  if (count === '') return { Name: name };
  const retries = /^[+-]?\d+$/.test(count) ? Number(count) : Number.NaN;
  if (!Number.isSafeInteger(retries)) {
    throw new InvalidArgumentError('invalid restart policy format: maximum retry count must be an integer');
  }
  return { Name: name, MaximumRetryCount: retries };
}

/** The daemon's semantic step (moby ValidateRestartPolicy), with '' normalised to 'no'. */
function validate(name: string, maximumRetryCount: number): RestartPolicy {
  if (!Number.isSafeInteger(maximumRetryCount)) {
    throw new InvalidArgumentError('invalid restart policy: maximum retry count must be an integer');
  }
  // Engines before v25 stored an empty name as the default, with any count; moby still accepts it.
  if (name === '') return { ...NO_RESTART };
  if (!isPolicyName(name)) {
    const choices = POLICY_NAMES.map((n) => `'${n}'`);
    throw new InvalidArgumentError(
      `invalid restart policy: unknown policy '${name}'; use one of ${choices.slice(0, -1).join(', ')}, or ${choices.at(-1)}`,
    );
  }
  if (name === 'on-failure') {
    if (maximumRetryCount < 0) {
      throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
    }
    return { name, maximumRetryCount };
  }
  if (maximumRetryCount !== 0) {
    const negative = maximumRetryCount < 0 ? ' and cannot be negative' : '';
    throw new InvalidArgumentError(
      `invalid restart policy: maximum retry count can only be used with 'on-failure'${negative}`,
    );
  }
  return { name, maximumRetryCount: 0 };
}

function isPolicyName(name: string): name is RestartPolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}
