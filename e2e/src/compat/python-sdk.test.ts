import { describe, expect, it } from 'vitest';
import { run, useTestDaemon } from '../harness.js';

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

  it('images.build builds a directory context (its .dockerignore applied) and returns the image and the log', async () => {
    const script = [
      'import docker, os, shutil, tempfile',
      'c = docker.from_env()',
      'd = tempfile.mkdtemp()',
      "open(os.path.join(d, 'Dockerfile'), 'w').write('FROM busybox\\nARG WHO\\nCOPY . /ctx\\nRUN echo \"hi $WHO\" > /who\\n')",
      "open(os.path.join(d, '.dockerignore'), 'w').write('secret.txt\\n')",
      "open(os.path.join(d, 'secret.txt'), 'w').write('secret')",
      "open(os.path.join(d, 'kept.txt'), 'w').write('kept')",
      "image, logs = c.images.build(path=d, tag='py-built:1', buildargs={'WHO': 'python'}, rm=True)",
      "print(image.tags)",
      "print(''.join(l.get('stream', '') for l in logs).count('Successfully built'))",
      "print(repr(c.containers.run('py-built:1', 'sh -c \"cat /who; ls /ctx\"', remove=True)))",
      'shutil.rmtree(d)',
    ].join('\n');
    expect((await python(script)).trim().split('\n')).toEqual(["['py-built:1']", '1', "b'hi python\\nDockerfile\\nkept.txt\\n'"]);
  });
});
