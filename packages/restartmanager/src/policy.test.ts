import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { formatRestartPolicy, parseRestartPolicy } from './policy.js';
import type { RestartPolicy } from './policy.js';

const UNKNOWN = (name: string) =>
  `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
const COUNT_ONLY_ON_FAILURE = "invalid restart policy: maximum retry count can only be used with 'on-failure'";
const NEGATIVE = 'invalid restart policy: maximum retry count cannot be negative';
const NOT_INTEGER = 'invalid restart policy format: maximum retry count must be an integer';

function expectInvalid(input: Parameters<typeof parseRestartPolicy>[0], message: string): void {
  let thrown: unknown;
  try {
    parseRestartPolicy(input);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as Error).message).toBe(message);
}

describe('parseRestartPolicy from the CLI --restart string', () => {
  it.each<[string, RestartPolicy]>([
    ['', { name: 'no', maximumRetryCount: 0 }],
    ['no', { name: 'no', maximumRetryCount: 0 }],
    ['always', { name: 'always', maximumRetryCount: 0 }],
    ['unless-stopped', { name: 'unless-stopped', maximumRetryCount: 0 }],
    ['on-failure', { name: 'on-failure', maximumRetryCount: 0 }],
    ['on-failure:3', { name: 'on-failure', maximumRetryCount: 3 }],
    ['on-failure:0', { name: 'on-failure', maximumRetryCount: 0 }],
    ['on-failure:', { name: 'on-failure', maximumRetryCount: 0 }],
    ['always:0', { name: 'always', maximumRetryCount: 0 }],
  ])('%j -> %j', (input, expected) => {
    expect(parseRestartPolicy(input)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['sometimes', UNKNOWN('sometimes')],
    ['Always', UNKNOWN('Always')],
    ['always:3', COUNT_ONLY_ON_FAILURE],
    ['no:1', COUNT_ONLY_ON_FAILURE],
    ['unless-stopped:-1', `${COUNT_ONLY_ON_FAILURE} and cannot be negative`],
    ['on-failure:-1', NEGATIVE],
    ['on-failure:x', NOT_INTEGER],
    ['on-failure:1.5', NOT_INTEGER],
    ['always:2:3', NOT_INTEGER],
    [':3', 'invalid restart policy format: no policy provided before colon'],
  ])('%j is rejected with %j', (input, message) => {
    expectInvalid(input, message);
  });
});

describe('parseRestartPolicy from the API HostConfig.RestartPolicy', () => {
  it.each<[Parameters<typeof parseRestartPolicy>[0], RestartPolicy]>([
    [undefined, { name: 'no', maximumRetryCount: 0 }],
    [null, { name: 'no', maximumRetryCount: 0 }],
    [{}, { name: 'no', maximumRetryCount: 0 }],
    [{ Name: '' }, { name: 'no', maximumRetryCount: 0 }],
    // Engines before v25 wrote an empty name by default; moby accepts it with any count.
    [{ Name: '', MaximumRetryCount: 5 }, { name: 'no', maximumRetryCount: 0 }],
    [{ Name: 'always', MaximumRetryCount: 0 }, { name: 'always', maximumRetryCount: 0 }],
    [{ Name: 'on-failure', MaximumRetryCount: 123 }, { name: 'on-failure', maximumRetryCount: 123 }],
    [{ Name: 'on-failure' }, { name: 'on-failure', maximumRetryCount: 0 }],
  ])('%j -> %j', (input, expected) => {
    expect(parseRestartPolicy(input)).toEqual(expected);
  });

  it.each<[{ Name?: string; MaximumRetryCount?: number }, string]>([
    [{ Name: 'unknown' }, UNKNOWN('unknown')],
    [{ Name: 'always', MaximumRetryCount: 3 }, COUNT_ONLY_ON_FAILURE],
    [{ Name: 'no', MaximumRetryCount: -3 }, `${COUNT_ONLY_ON_FAILURE} and cannot be negative`],
    [{ Name: 'on-failure', MaximumRetryCount: -123 }, NEGATIVE],
    [{ Name: 'on-failure', MaximumRetryCount: 1.5 }, 'invalid restart policy: maximum retry count must be an integer'],
  ])('%j is rejected with %j', (input, message) => {
    expectInvalid(input, message);
  });
});

describe('formatRestartPolicy', () => {
  it.each<[RestartPolicy, string]>([
    [{ name: 'no', maximumRetryCount: 0 }, 'no'],
    [{ name: 'always', maximumRetryCount: 0 }, 'always'],
    [{ name: 'unless-stopped', maximumRetryCount: 0 }, 'unless-stopped'],
    [{ name: 'on-failure', maximumRetryCount: 0 }, 'on-failure'],
    [{ name: 'on-failure', maximumRetryCount: 2 }, 'on-failure:2'],
  ])('%j -> %j', (policy, text) => {
    expect(formatRestartPolicy(policy)).toBe(text);
  });

  it.each(['no', 'always', 'unless-stopped', 'on-failure', 'on-failure:1', 'on-failure:10'])(
    'round-trips %j',
    (text) => {
      expect(formatRestartPolicy(parseRestartPolicy(text))).toBe(text);
    },
  );
});
