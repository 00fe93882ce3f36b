import { describe, expect, it } from 'vitest';
import { negotiateApiVersion } from './api-version.js';

describe('negotiateApiVersion', () => {
  it('speaks the lower of the two versions', () => {
    expect(negotiateApiVersion('1.47', '1.41')).toBe('1.41');
    expect(negotiateApiVersion('1.47', '1.47')).toBe('1.47');
    expect(negotiateApiVersion('1.47', '1.52')).toBe('1.47');
    expect(negotiateApiVersion('1.47', '1.100')).toBe('1.47');
  });

  it('assumes 1.24 when the server does not say', () => {
    expect(negotiateApiVersion('1.47', undefined)).toBe('1.24');
  });
});
