import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const daemon = useTestDaemon();

beforeAll(async () => {
  expect((await daemon.dockerCli(['run', '-d', '--name', 'box', '-e', 'FROM_RUN=1', 'busybox', 'sleep', '600'])).code).toBe(0);
});

describe('docker exec', () => {
  it('runs a command and returns its output and exit code', async () => {
    const hello = await daemon.dockerCli(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2']);
    expect(hello).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 0 });
    expect((await daemon.dockerCli(['exec', 'box', 'sh', '-c', 'exit 7'])).code).toBe(7);
  });

  it('pipes stdin with -i and delivers its EOF', async () => {
    expect((await daemon.dockerCli(['exec', '-i', 'box', 'cat'], 'hi\n')).stdout).toBe('hi\n');
  });

  it('applies -u, -e and -w on top of the container config', async () => {
    const result = await daemon.dockerCli(['exec', '-u', 'nobody', '-e', 'EXTRA=2', '-w', '/tmp', 'box', 'sh', '-c', 'id -u; echo $FROM_RUN$EXTRA; pwd']);
    expect(result.stdout).toBe('65534\n12\n/tmp\n');
    expect((await daemon.dockerCli(['exec', '-u', '1000:1000', 'box', 'id', '-g'])).stdout).toBe('1000\n');
  });

  it('grants all capabilities with --privileged', async () => {
    const plain = await daemon.dockerCli(['exec', 'box', 'sh', '-c', 'grep CapEff /proc/self/status']);
    const privileged = await daemon.dockerCli(['exec', '--privileged', 'box', 'sh', '-c', 'grep CapEff /proc/self/status']);
    expect(privileged.stdout).not.toBe(plain.stdout);
  });

  it('reports a missing command with exit code 126', async () => {
    const missing = await daemon.dockerCli(['exec', 'box', 'no-such-command']);
    expect(missing.code).toBe(126);
    expect(missing.stderr).toContain('executable file not found');
  });

  it('runs detached with -d', async () => {
    expect((await daemon.dockerCli(['exec', '-d', 'box', 'sh', '-c', 'echo done > /tmp/detached'])).code).toBe(0);
    let content = '';
    for (let i = 0; i < 50 && content !== 'done\n'; i++) content = (await daemon.dockerCli(['exec', 'box', 'cat', '/tmp/detached'])).stdout;
    expect(content).toBe('done\n');
  });

  it('exposes ExitCode and Running through dockerode', async () => {
    const exec = await daemon.docker.getContainer('box').exec({ Cmd: ['sh', '-c', 'exit 3'], AttachStdout: true, AttachStderr: true });
    expect((await exec.inspect()).ExitCode).toBeNull();
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise((resolve) => {
      stream.on('end', resolve);
      stream.resume();
    });
    expect(await exec.inspect()).toMatchObject({ ExitCode: 3, Running: false });
    await expect(exec.start({})).rejects.toMatchObject({ statusCode: 409 });
  });

  it('berth exec: output, exit code, stdin, options, -d', async () => {
    expect(await daemon.berth(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 4'])).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 4 });
    expect((await daemon.berth(['exec', '-i', 'box', 'cat'], 'piped\n')).stdout).toBe('piped\n');
    expect((await daemon.berth(['exec', '-u', '33', '-w', '/tmp', '-e', 'X=y', 'box', 'sh', '-c', 'id -u; pwd; echo $X'])).stdout).toBe('33\n/tmp\ny\n');
    expect((await daemon.berth(['exec', '-d', 'box', 'true'])).code).toBe(0);
  });

  it('refuses exec in a paused container with 409', async () => {
    expect((await daemon.dockerCli(['pause', 'box'])).code).toBe(0);
    try {
      const paused = await daemon.dockerCli(['exec', 'box', 'true']);
      expect(paused.code).not.toBe(0);
      expect(paused.stderr).toContain('is paused, unpause the container before exec');
    } finally {
      await daemon.dockerCli(['unpause', 'box']);
    }
  });

  it('refuses exec in a stopped container with 409', async () => {
    expect((await daemon.dockerCli(['create', '--name', 'idle', 'busybox', 'true'])).code).toBe(0);
    const stopped = await daemon.dockerCli(['exec', 'idle', 'true']);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toContain('is not running');
    await expect(daemon.docker.getContainer('idle').exec({ Cmd: ['true'] })).rejects.toMatchObject({ statusCode: 409 });
  });
});
