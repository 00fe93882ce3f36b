import { describe, expect, it } from 'vitest';
import { buildArgs, buildOptions, type BuildFlags } from './build-flags.js';
import { FlagValueError } from './flag-value-error.js';

const base: BuildFlags = { tag: [], buildArg: [], label: [], rm: true, network: 'default', unsupported: {} };

describe('build flags', () => {
  it('maps the flags to the /build query options', () => {
    const options = buildOptions({ ...base, tag: ['a:1', 'b'], label: ['x=1', 'y'], noCache: true, pull: true, quiet: true, rm: false, forceRm: true, target: 't', platform: 'linux/amd64', network: 'none' }, {});
    expect(options).toEqual({
      tags: ['a:1', 'b'], quiet: true, noCache: true, pull: true, remove: false, forceRemove: true, buildArgs: {},
      labels: { x: '1', y: '' }, networkMode: 'none', target: 't', platform: 'linux/amd64',
    });
  });

  it('takes a bare --build-arg from the environment, else sends it without a value', () => {
    expect(buildArgs(['A=1', 'B', 'C', 'D='], { B: 'from-env' })).toEqual({ A: '1', B: 'from-env', C: null, D: '' });
    expect(() => buildArgs(['=x'], {})).toThrow(FlagValueError);
  });

  it('refuses a flag docker has and berth does not honour, naming it', () => {
    expect(() => buildOptions({ ...base, unsupported: { 'cache-from': 'img', squash: undefined } }, {})).toThrow('invalid argument "img" for "--cache-from" flag: not supported by berth\'s builder');
  });

  it('refuses a label without a name', () => {
    expect(() => buildOptions({ ...base, label: ['=v'] }, {})).toThrow("invalid label '=v': empty name");
  });
});
