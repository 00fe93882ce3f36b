import { describe, expect, it } from 'vitest';
import { runFailureExitCode } from './run-exit-code.js';

describe('runFailureExitCode', () => {
  it.each([
    ['exec: "nope": executable file not found in $PATH: unknown', 127],
    ['exec: "/bin/nope": stat /bin/nope: no such file or directory: unknown', 127],
    ['exec: "/etc": permission denied: unknown', 126],
    ['exec: "/etc": is a directory: unknown', 126],
    ['No such image: nope:latest', 125],
    ['Conflict. The container name "/web" is already in use', 125],
  ])('%s -> %d', (message, code) => {
    expect(runFailureExitCode(message)).toBe(code);
  });
});
