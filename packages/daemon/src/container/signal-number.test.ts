import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { parseSignal } from './signal-number.js';

describe('parseSignal', () => {
  it('takes numbers, names with or without SIG in any case, and real-time signals', () => {
    expect(parseSignal('9')).toBe(9);
    expect(parseSignal('sigkill')).toBe(9);
    expect(parseSignal('Hup')).toBe(1);
    expect(parseSignal('SIGRTMIN+3')).toBe(37);
    expect(parseSignal('RTMAX-1')).toBe(63);
    expect(parseSignal('CLD')).toBe(17);
  });

  it("refuses what moby refuses, with moby's messages", () => {
    expect(() => parseSignal('FOO')).toThrow(new InvalidArgumentError('Invalid signal: FOO'));
    expect(() => parseSignal('0')).toThrow('Invalid signal: 0');
    expect(() => parseSignal('')).toThrow('Invalid signal: ');
    expect(() => parseSignal('100')).toThrow('the linux daemon does not support signal 100');
    expect(() => parseSignal('32')).toThrow('the linux daemon does not support signal 32');
  });
});
