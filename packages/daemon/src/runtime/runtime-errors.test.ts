import { describe, expect, it } from 'vitest';
import { OciRuntimeError, RuntimeConfigError, createFailure, inRuncWords, runtimeMessage } from './runtime-errors.js';

describe('runtimeMessage', () => {
  it('takes the last message from runc JSON logs, logfmt stderr or plain text', () => {
    expect(runtimeMessage('{"level":"warning","msg":"first"}\n{"level":"error","msg":"exec: \\"x\\": not found"}\n', 'runc')).toBe('exec: "x": not found');
    expect(runtimeMessage('time="2024" level=error msg="container \\"a\\" does not exist"\n', 'runc')).toBe('container "a" does not exist');
    expect(runtimeMessage('error opening file `/x/status`: No such file or directory\n', 'crun')).toBe('error opening file `/x/status`: no such file or directory');
    expect(runtimeMessage('', 'runc')).toBe('');
  });

  it("puts only crun's messages in runc's words: runc's and its hooks' are kept", () => {
    const hook = '{"level":"error","msg":"error running hook #0: exit status 1, stdout: , stderr: Something broke"}\n';
    expect(runtimeMessage(hook, 'runc')).toBe('error running hook #0: exit status 1, stdout: , stderr: Something broke');
    expect(runtimeMessage('open executable: Permission denied\n', 'runc')).toBe('open executable: Permission denied');
    expect(runtimeMessage('open executable: Permission denied\n', 'crun')).toBe('open executable: permission denied');
  });
});

describe("crun's messages in runc's words", () => {
  it('words a command that cannot start as runc does, for the docker CLI to read', () => {
    expect(inRuncWords('executable file `nosuch` not found in $PATH: No such file or directory')).toBe('exec: "nosuch": executable file not found in $PATH');
    expect(inRuncWords('executable file `/nosuch` not found in $PATH: No such file or directory')).toBe('exec: "/nosuch": stat /nosuch: no such file or directory');
    expect(inRuncWords('open executable: Operation not permitted')).toBe('open executable: permission denied');
    expect(inRuncWords('open executable: Permission denied')).toBe('open executable: permission denied');
    expect(inRuncWords('chdir `/etc/passwd`: Not a directory')).toBe('chdir `/etc/passwd`: not a directory');
  });

  it("leaves runc's own messages alone", () => {
    const runc = 'unable to start container process: exec: "nosuch": executable file not found in $PATH';
    expect(inRuncWords(runc)).toBe(runc);
    expect(inRuncWords('container "a" does not exist')).toBe('container "a" does not exist');
  });
});

describe('createFailure', () => {
  it('classifies missing and non-executable commands as configuration errors with Docker exit codes', () => {
    const missing = createFailure('runc', 'runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH');
    expect(missing).toBeInstanceOf(RuntimeConfigError);
    expect((missing as RuntimeConfigError).exitCode).toBe(127);
    expect(missing.message).toBe(
      'failed to create task for container: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown',
    );
    expect((createFailure('runc', 'exec: "/etc": permission denied') as RuntimeConfigError).exitCode).toBe(126);
    expect(createFailure('runc', 'unable to apply caps')).toBeInstanceOf(OciRuntimeError);
  });
});
