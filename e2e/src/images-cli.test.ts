import { lstat, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon } from './harness.js';

const d = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-images-cli-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function berth(args: string[]): Promise<string> {
  const result = await d.berth(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/**
 * The same command through docker and berth prints the same thing. docker orders the rows of an
 * image's several repositories at random (a Go map), so image lists are compared as sets of lines.
 */
async function sameAsDocker(args: string[], options: { anyRowOrder?: boolean } = {}): Promise<string> {
  const docker = await d.dockerCli(args);
  expect(docker.code).toBe(0);
  const ours = await berth(args);
  const lines = (text: string) => (options.anyRowOrder ? text.split('\n').sort() : text.split('\n'));
  expect(lines(ours)).toEqual(lines(docker.stdout));
  return docker.stdout;
}

describe('berth image commands', () => {
  it('tags, lists with filters and removes like docker', async () => {
    await berth(['tag', 'busybox', 'localhost:5000/box:v1']);
    await sameAsDocker(['images'], { anyRowOrder: true });
    await sameAsDocker(['images', '--no-trunc', '-a'], { anyRowOrder: true });
    await sameAsDocker(['images', '-q'], { anyRowOrder: true });
    await sameAsDocker(['images', '--digests'], { anyRowOrder: true });
    expect(await berth(['images', '--filter', 'reference=localhost:5000/*', '-q'])).toHaveLength(13);
    await sameAsDocker(['image', 'ls', 'busybox']);
    expect(await berth(['rmi', 'localhost:5000/box:v1'])).toBe('Untagged: localhost:5000/box:v1\n');
  });

  it('commits with changes, shows history, saves and reloads', async () => {
    expect((await d.berth(['run', '--name', 'src', 'busybox', 'sh', '-c', 'echo x > /x'])).code).toBe(0);
    const id = (await berth(['commit', '-c', 'CMD ["echo","hi"]', '-m', 'msg', 'src', 'mine:1'])).trim();
    expect(id).toMatch(/^sha256:/);
    expect((await d.berth(['run', '--rm', 'mine:1'])).stdout).toBe('hi\n');
    await sameAsDocker(['history', 'busybox']);
    const history = await berth(['history', 'mine:1']);
    expect(history.split('\n')[1]).toMatch(/^[a-f0-9]{12} .* sh -c echo x > \/x +2B +msg$/);
    await sameAsDocker(['history', '-q', '--no-trunc', 'mine:1']);
    const archive = join(work, 'mine.tar');
    await berth(['save', '-o', archive, 'mine:1']);
    // As docker's atomic writer: readable by its owner only, and no temporary file left beside it.
    expect((await stat(archive)).size).toBeGreaterThan(0);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    expect((await readdir(work)).filter((name) => name.startsWith('.berth_temp_'))).toEqual([]);
    await berth(['rm', 'src']);
    expect(await berth(['image', 'rm', 'mine:1'])).toContain(`Deleted: ${id}`);
    expect(await berth(['image', 'load', '-i', archive])).toBe('Loaded image: mine:1\n');
    expect(JSON.parse(await berth(['image', 'inspect', 'mine:1']))[0].Id).toBe(id);
  });

  it('refuses to save over a symlink or a named pipe, as docker does, and leaves them as they were', async () => {
    const link = join(work, 'link.tar');
    const fifo = join(work, 'fifo.tar');
    await symlink(join(work, 'target.tar'), link);
    const made = await run('mkfifo', [fifo]);
    expect(made.code, made.stderr).toBe(0);
    for (const [output, reason] of [
      [link, 'cannot write to a symbolic link directly'],
      [fifo, 'cannot write to a named pipe (FIFO)'],
    ] as const) {
      const docker = await d.dockerCli(['save', '-o', output, 'busybox']);
      const ours = await d.berth(['save', '-o', output, 'busybox']);
      expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: docker.code, stderr: docker.stderr });
      expect(ours).toMatchObject({ code: 1, stderr: `failed to save image: ${reason}\n` });
    }
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('imports with changes, prunes and reports disk usage', async () => {
    const tarball = join(work, 'empty.tar');
    const { execFile } = await import('node:child_process');
    await new Promise((resolve, reject) => execFile('tar', ['-cf', tarball, '--files-from', '/dev/null'], (err) => (err ? reject(err) : resolve(undefined))));
    const id = (await berth(['import', '-c', 'ENV A=1', '-c', 'LABEL p=1', '-m', 'imp', tarball, 'imp:1'])).trim();
    expect(JSON.parse(await berth(['image', 'inspect', 'imp:1']))[0].Config.Env).toEqual(['A=1']);
    expect(await berth(['image', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');
    const pruned = await berth(['image', 'prune', '-a', '-f', '--filter', 'label=p=1']);
    expect(pruned).toContain(`deleted: ${id}`);
    const df = await berth(['system', 'df']);
    expect(df.split('\n')[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    expect(df).toMatch(/Images\s+2\s+0/);
  });
});
