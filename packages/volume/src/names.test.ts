import { describe, expect, it } from 'vitest';
import { generateAnonymousName, validateVolumeName } from './names.js';

describe('validateVolumeName', () => {
  it.each(['data', 'my_vol-1.0', 'a1', 'A.b', 'a..b', 'ab..', '0.-_', 'v'.repeat(255)])('accepts %s', (name) => {
    expect(() => validateVolumeName(name)).not.toThrow();
  });

  it.each(['', '-x', '.x', '_x', 'a/b', '../etc', '..', 'x y', 'a:b', 'aé'])('rejects %j', (name) => {
    expect(() => validateVolumeName(name)).toThrow(/includes invalid characters for a local volume name/);
  });

  it('says a one-character name is too short, as moby', () => {
    expect(() => validateVolumeName('a')).toThrow('create a: volume name is too short, names should be at least two alphanumeric characters');
  });

  it('generates 64-hex anonymous names that are valid names', () => {
    const name = generateAnonymousName();
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(() => validateVolumeName(name)).not.toThrow();
  });
});
