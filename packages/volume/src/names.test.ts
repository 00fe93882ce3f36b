import { describe, expect, it } from 'vitest';
import { generateAnonymousName, validateVolumeName } from './names.js';

describe('validateVolumeName', () => {
  it.each(['data', 'my_vol-1.0', 'a1', 'A.b'])('accepts %s', (name) => {
    expect(() => validateVolumeName(name)).not.toThrow();
  });

  it.each(['a', '', '-x', '.x', '_x', 'a/b', '../etc', 'a..b', 'x y', 'a:b'])('rejects %j', (name) => {
    expect(() => validateVolumeName(name)).toThrow(/includes invalid characters for a local volume name/);
  });

  it('generates 64-hex anonymous names that are valid names', () => {
    const name = generateAnonymousName();
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(() => validateVolumeName(name)).not.toThrow();
  });
});
