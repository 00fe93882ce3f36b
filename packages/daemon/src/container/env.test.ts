import { describe, expect, it } from 'vitest';
import { mergeImageEnv, replaceOrAppendEnv } from './env.js';

describe('replaceOrAppendEnv (moby ReplaceOrAppendEnvValues)', () => {
  const defaults = ['PATH=/bin', 'HOSTNAME=h'];

  it('replaces defaults by name and appends the rest', () => {
    expect(replaceOrAppendEnv(defaults, ['HOSTNAME=x', 'A=1'])).toEqual(['PATH=/bin', 'HOSTNAME=x', 'A=1']);
  });

  it('drops a bare name, unsetting the default of that name', () => {
    expect(replaceOrAppendEnv(defaults, ['FOO'])).toEqual(defaults);
    expect(replaceOrAppendEnv(defaults, ['HOSTNAME', 'A=1'])).toEqual(['PATH=/bin', 'A=1']);
  });

  it('keeps a value set before a bare name, as dockerd does', () => {
    expect(replaceOrAppendEnv(defaults, ['FOO=1', 'FOO'])).toEqual([...defaults, 'FOO=1']);
  });
});

describe('mergeImageEnv', () => {
  it('takes the image env when the request has none', () => {
    expect(mergeImageEnv(['PATH=/bin'], null)).toEqual(['PATH=/bin']);
    expect(mergeImageEnv(undefined, [])).toEqual([]);
  });
});
