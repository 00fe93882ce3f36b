import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '@berth/reference';
import { isIdPrefix, isSingleReference, referencesToUntag } from './delete-rules.js';

const refs = (...names: string[]) => names.map(parseNormalizedNamed);
const digest = `sha256:${'a'.repeat(64)}`;

describe('isSingleReference', () => {
  it.each([
    [[], true],
    [['app:v1'], true],
    [['app:v1', `app@${digest}`], true],
    [[`app@${digest}`, `app@sha256:${'b'.repeat(64)}`], true],
    [['app:v1', 'app:v2'], false],
    [['app:v1', `other@${digest}`], false],
  ])('%j -> %s', (names, expected) => {
    expect(isSingleReference(refs(...names))).toBe(expected);
  });
});

describe('referencesToUntag', () => {
  it('drops digest references of a repository once its last tag goes', () => {
    const all = refs('app:v1', `app@${digest}`, `other@${digest}`);
    expect(referencesToUntag(all[0], all)).toEqual([all[0], all[1]]);
  });

  it('keeps digest references while another tag of the repository remains', () => {
    const all = refs('app:v1', 'app:v2', `app@${digest}`);
    expect(referencesToUntag(all[0], all)).toEqual([all[0]]);
  });
});

describe('isIdPrefix', () => {
  it('accepts the ID with or without its algorithm', () => {
    expect(isIdPrefix(digest, 'aaa')).toBe(true);
    expect(isIdPrefix(digest, 'sha256:aa')).toBe(true);
    expect(isIdPrefix(digest, 'app')).toBe(false);
  });
});
