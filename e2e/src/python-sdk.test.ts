import { describe, expect, it } from 'vitest';
import { run, useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** Debian's Docker SDK for Python (python3-docker), as a user's script would use it. */
const PYTHON = '/usr/bin/python3';

async function python(script: string): Promise<string> {
  const r = await run(PYTHON, ['-c', script], { env: { DOCKER_HOST: d.host } });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('the Docker SDK for Python', () => {
  it('containers.run returns the output (it reads HostConfig.LogConfig, then the logs)', async () => {
    const out = await python("import docker\nc = docker.from_env()\nprint(repr(c.containers.run('busybox', 'echo hi')))");
    expect(out.trim()).toBe("b'hi\\n'");
  });

  it('containers.run(detach=True) gives a container that runs, logs and waits', async () => {
    const script = [
      'import docker',
      'c = docker.from_env()',
      "x = c.containers.run('busybox', ['sh', '-c', 'echo detached; exit 3'], detach=True, name='py-detached')",
      "print(x.wait()['StatusCode'])",
      'print(repr(x.logs()))',
      'x.reload()',
      "print(x.status, x.attrs['HostConfig']['LogConfig']['Type'])",
      'x.remove()',
    ].join('\n');
    expect((await python(script)).trim().split('\n')).toEqual(['3', "b'detached\\n'", 'exited json-file']);
  });
});
