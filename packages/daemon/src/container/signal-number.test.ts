import { describe, expect, it } from 'vitest';
import { signalAttribute } from './signal-number.js';

describe('signalAttribute', () => {
  it('gives the number for any spelling docker accepts', () => {
    expect(signalAttribute('SIGKILL')).toBe('9');
    expect(signalAttribute('term')).toBe('15');
    expect(signalAttribute('HUP')).toBe('1');
    expect(signalAttribute('10')).toBe('10');
    expect(signalAttribute('SIGNOPE')).toBe('SIGNOPE');
  });
});
