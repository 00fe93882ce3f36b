import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** 100 numbered lines of ~1 kB, paced so that each rotation is seen before the next. */
const HUNDRED_LINES = 'i=0; while [ $i -lt 100 ]; do printf "line-%03d %0990d\\n" $i 0; i=$((i+1)); usleep 20000; done';

async function inspect(name: string): Promise<{ Id: string; LogPath: string; HostConfig: { LogConfig: { Type: string; Config: Record<string, string> } } }> {
  return (await d.docker.getContainer(name).inspect()) as never;
}

/** The numbers of the lines `docker logs` shows. */
async function loggedNumbers(name: string): Promise<number[]> {
  const logs = await d.dockerCli(['logs', name]);
  expect(logs.code, logs.stderr).toBe(0);
  return logs.stdout
    .trim()
    .split('\n')
    .map((line) => Number(line.slice(5, 8)));
}

/** Lines ending with the last one (99), none missing. */
function expectContiguousEnd(numbers: number[]): void {
  expect(numbers.at(-1)).toBe(99);
  expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
}

const isGzip = (data: Buffer): boolean => data[0] === 0x1f && data[1] === 0x8b;

describe('json-file (the default)', () => {
  it('is what a container gets without --log-driver, and what docker info names', async () => {
    await d.dockerCli(['create', '--name', 'plain', 'busybox', 'true']);
    const info = await inspect('plain');
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: {} });
    expect(info.LogPath).toMatch(/container\.log$/);
    expect((await d.dockerCli(['info', '--format', '{{.LoggingDriver}}'])).stdout.trim()).toBe('json-file');
  });

  it('compress=true gzips the rotated files and docker logs still shows every kept line', async () => {
    const opts = ['--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', '--log-opt', 'compress=true'];
    const ran = await d.dockerCli(['run', '--name', 'compressed', ...opts, 'busybox', 'sh', '-c', HUNDRED_LINES]);
    expect(ran.code, ran.stderr).toBe(0);
    const { LogPath } = await inspect('compressed');
    const dir = join(LogPath, '..');
    const rotated = (await readdir(dir)).filter((name) => name.startsWith('container.log.')).sort();
    expect(rotated).toEqual(['container.log.1.gz', 'container.log.2.gz']);
    for (const name of rotated) expect(isGzip(await readFile(join(dir, name)))).toBe(true);
    const numbers = await loggedNumbers('compressed');
    expectContiguousEnd(numbers);
    // Three files of at most 10,000 bytes (Docker's decimal units) of ~1,045-byte records: two full, one started.
    expect(numbers.length).toBeGreaterThan(18);
    expect(numbers.length).toBeLessThanOrEqual(27);
    const tail = (await d.dockerCli(['logs', '--tail', '15', 'compressed'])).stdout.trim().split('\n');
    expect(tail.map((line) => Number(line.slice(5, 8)))).toEqual(Array.from({ length: 15 }, (_, i) => 85 + i));
  });

  it('refuses options it does not know, and bad values, with Docker messages', async () => {
    const refusals: Array<[string[], string]> = [
      [['--log-opt', 'foo=bar'], "unknown log opt 'foo' for json-file log driver"],
      [['--log-opt', 'max-size=abc'], "failed to initialize logging driver: invalid size: 'abc'"],
      [['--log-opt', 'max-size=0'], 'failed to initialize logging driver: max-size must be a positive number'],
      [['--log-opt', 'max-size=1m', '--log-opt', 'max-file=0'], 'failed to initialize logging driver: max-file cannot be less than 1'],
      [['--log-opt', 'compress=true'], 'failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set'],
      [['--log-opt', 'max-size=1m', '--log-opt', 'max-file=2', '--log-opt', 'compress=maybe'], 'failed to initialize logging driver: strconv.ParseBool: parsing "maybe": invalid syntax'],
    ];
    for (const [flags, message] of refusals) {
      const r = await d.dockerCli(['create', ...flags, 'busybox']);
      expect(r.code, flags.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  it('accepts max-file without max-size, as Docker does (nothing rotates)', async () => {
    const r = await d.dockerCli(['create', '--log-opt', 'max-file=3', 'busybox']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('--log-driver none', () => {
  it('keeps nothing: docker logs fails as with Docker, attached output still arrives', async () => {
    const ran = await d.dockerCli(['run', '--name', 'silent', '--log-driver', 'none', 'busybox', 'echo', 'attached']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe('attached\n');
    const logs = await d.dockerCli(['logs', 'silent']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('configured logging driver does not support reading');
    const info = await inspect('silent');
    expect(info.LogPath).toBe('');
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'none', Config: {} });
    const files = await readdir(join(d.dataRoot, 'containers', info.Id));
    expect(files.filter((name) => name.includes('.log'))).toEqual([]);
  });

  it('refuses log options, as the docker CLI does', async () => {
    const create = d.docker.createContainer({ Image: 'busybox', HostConfig: { LogConfig: { Type: 'none', Config: { 'max-size': '1m' } } } });
    await expect(create).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('invalid logging opts for driver none') as unknown });
  });
});

describe('--log-driver local', () => {
  it('docker logs reads it; LogPath is empty as with Docker', async () => {
    const ran = await d.dockerCli(['run', '--name', 'local-one', '--log-driver', 'local', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    expect(ran.code).toBe(0);
    const logs = await d.dockerCli(['logs', 'local-one']);
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');
    const info = await inspect('local-one');
    expect(info.LogPath).toBe('');
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'local', Config: {} });
  });

  it('compresses rotated files by default and honours max-size and max-file', async () => {
    const opts = ['--log-driver', 'local', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3'];
    const ran = await d.dockerCli(['run', '--name', 'local-rotated', ...opts, 'busybox', 'sh', '-c', HUNDRED_LINES]);
    expect(ran.code, ran.stderr).toBe(0);
    const files = await readdir(join(d.dataRoot, 'containers', (await inspect('local-rotated')).Id));
    expect(files.filter((name) => name.startsWith('container.log.')).sort()).toEqual(['container.log.1.gz', 'container.log.2.gz']);
    const numbers = await loggedNumbers('local-rotated');
    expectContiguousEnd(numbers);
    expect(numbers.length).toBeGreaterThan(18);
    expect(numbers.length).toBeLessThanOrEqual(27);
  });

  it('its defaults hold: compression needs more than one file; unknown options are refused', async () => {
    const one = await d.dockerCli(['create', '--log-driver', 'local', '--log-opt', 'max-file=1', 'busybox']);
    expect(one.stderr).toContain('compression cannot be enabled when max file count is 1');
    expect((await d.dockerCli(['create', '--log-driver', 'local', '--log-opt', 'max-file=1', '--log-opt', 'compress=false', 'busybox'])).code).toBe(0);
    const unknown = await d.dockerCli(['create', '--log-driver', 'local', '--log-opt', 'foo=bar', 'busybox']);
    expect(unknown.stderr).toContain("unknown log opt 'foo' for log driver local");
  });
});

describe('other drivers', () => {
  it('an unknown driver is refused with Docker message; Docker drivers this engine lacks say so', async () => {
    const unknown = await d.dockerCli(['create', '--log-driver', 'foo', 'busybox']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('error looking up logging plugin foo: plugin "foo" not found');
    const syslog = await d.dockerCli(['create', '--log-driver', 'syslog', 'busybox']);
    expect(syslog.code).not.toBe(0);
    expect(syslog.stderr).toContain('logging driver "syslog" is not supported by this engine');
  });
});
