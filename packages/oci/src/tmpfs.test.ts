import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { mergeTmpfsOptions, parseTmpfsOptions } from './tmpfs.js';

describe('tmpfs options', () => {
  it("starts from Docker's defaults and lets the user override them", () => {
    expect(parseTmpfsOptions('')).toEqual(['noexec', 'nosuid', 'nodev', 'rprivate']);
    expect(parseTmpfsOptions('size=64m,mode=1777,exec')).toEqual(['nosuid', 'nodev', 'rprivate', 'size=64m', 'mode=1777', 'exec']);
    expect(parseTmpfsOptions('rshared,size=1m')).toEqual(['noexec', 'nosuid', 'nodev', 'rshared', 'size=1m']);
  });

  it('keeps the last value of repeated keys', () => {
    expect(mergeTmpfsOptions(['size=1m', 'ro', 'size=2m', 'rw', 'defaults'])).toEqual(['size=2m', 'rw']);
  });

  it('rejects unknown options', () => {
    expect(() => parseTmpfsOptions('size=1m,bogus')).toThrow(new InvalidArgumentError('invalid tmpfs option "bogus"'));
    expect(() => parseTmpfsOptions('color=red')).toThrow(InvalidArgumentError);
  });
});
