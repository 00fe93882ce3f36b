import { describe, expect, it } from 'vitest';
import { ProgramFailure, exitCodeOf } from './program-failure.js';

describe('ProgramFailure', () => {
  it('carries the exit status of a program that exited non-zero, and none for one that could not run', () => {
    expect(new ProgramFailure('ps failed', '', 'bad option', { exitCode: exitCodeOf({ code: 1 }) }).exitCode).toBe(1);
    expect(new ProgramFailure('spawn ps ENOENT', '', '', { exitCode: exitCodeOf({ code: 'ENOENT' }) }).exitCode).toBeUndefined();
    expect(exitCodeOf({ code: null })).toBeUndefined();
  });
});
