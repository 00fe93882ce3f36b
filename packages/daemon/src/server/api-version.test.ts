import { describe, expect, it } from 'vitest';
import { splitVersionedUrl } from './api-version.js';

describe('splitVersionedUrl', () => {
  it('strips a supported version prefix and keeps the query', () => {
    expect(splitVersionedUrl('/v1.41/containers/json?all=1')).toEqual({ url: '/containers/json?all=1', version: '1.41' });
  });
  it('serves unversioned paths at the current version', () => {
    expect(splitVersionedUrl('/_ping')).toEqual({ url: '/_ping', version: '1.47' });
  });
  it('rejects versions out of range', () => {
    expect(splitVersionedUrl('/v1.12/info').error).toMatch(/too old. Minimum supported API version is 1.24/);
    expect(splitVersionedUrl('/v1.99/info').error).toMatch(/too new. Maximum supported API version is 1.47/);
  });
  it('does not mistake image names for versions', () => {
    expect(splitVersionedUrl('/images/v1/json').url).toBe('/images/v1/json');
  });
});
