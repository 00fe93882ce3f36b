import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const daemon = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp('/tmp/berth-cp-');
  const tree = join(work, 'tree');
  await mkdir(join(tree, 'empty'), { recursive: true });
  await mkdir(join(tree, 'sub'));
  await writeFile(join(tree, 'sub', 'data.bin'), randomBytes(100_000));
  await symlink('sub/data.bin', join(tree, 'link'));
  await writeFile(join(tree, 'secret'), 'only mine\n');
  await chmod(join(tree, 'secret'), 0o600);
  await chown(join(tree, 'secret'), 1000, 1000);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `docker cp CONTAINER:PATH -` listed by tar (numeric owners). */
function listArchive(source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', `docker cp ${source} - | tar -tvf - --numeric-owner`], { env: { ...process.env, DOCKER_HOST: daemon.host } }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

async function expectSameTree(a: string, b: string): Promise<void> {
  for (const path of ['empty', 'sub', 'sub/data.bin', 'link', 'secret']) {
    const [x, y] = [await lstat(join(a, path)), await lstat(join(b, path))];
    expect({ path, mode: y.mode }).toEqual({ path, mode: x.mode });
  }
  expect(await readFile(join(b, 'sub/data.bin'))).toEqual(await readFile(join(a, 'sub/data.bin')));
  expect(await readFile(join(b, 'secret'), 'utf8')).toBe('only mine\n');
  expect(await readlink(join(b, 'link'))).toBe('sub/data.bin');
}

describe('docker cp', () => {
  it.each([
    ['a stopped', ['create', '--name', 'cp-stopped', 'busybox', 'true'], 'cp-stopped'],
    ['a running', ['run', '-d', '--name', 'cp-running', 'busybox', 'sleep', '600'], 'cp-running'],
  ])('round-trips a tree byte- and mode-exact through %s container', async (_label, create, name) => {
    expect((await daemon.dockerCli(create)).code).toBe(0);
    const into = await daemon.dockerCli(['cp', '-a', join(work, 'tree'), `${name}:/copied`]);
    expect(into.code, into.stderr).toBe(0);
    const out = join(work, `out-${name}`);
    const back = await daemon.dockerCli(['cp', '-a', `${name}:/copied`, out]);
    expect(back.code, back.stderr).toBe(0);
    await expectSameTree(join(work, 'tree'), out);
    // The docker CLI never chowns what it writes on the host, so ownership is checked in the archive.
    const listing = await listArchive(`${name}:/copied/secret`);
    expect(listing).toMatch(/^-rw------- 1000\/1000 +10 /);
  });

  it('reports a missing path', async () => {
    const missing = await daemon.dockerCli(['cp', 'cp-stopped:/no/such/file', join(work, 'x')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Could not find the file /no/such/file in container cp-stopped');
  });

  it('cannot be led outside the container root by symlinks in it', async () => {
    const canary = `berth-canary-${randomBytes(6).toString('hex')}`;
    await writeFile(join(work, canary), 'canary\n');
    const hostSecret = join(work, 'host-secret');
    await writeFile(hostSecret, 'host only\n');
    const made = await daemon.dockerCli(['run', '--name', 'evil', 'busybox', 'sh', '-c', `ln -s / /target && ln -s ${work} /peek`]);
    expect(made.code).toBe(0);

    const written = await daemon.dockerCli(['cp', join(work, canary), 'evil:/target/']);
    expect(written.code, written.stderr).toBe(0);
    expect(existsSync(join('/', canary))).toBe(false);
    const inside = await daemon.dockerCli(['cp', `evil:/${canary}`, join(work, 'canary-back')]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(await readFile(join(work, 'canary-back'), 'utf8')).toBe('canary\n');

    const read = await daemon.dockerCli(['cp', 'evil:/peek/host-secret', join(work, 'leaked')]);
    expect(read.code).not.toBe(0);
    expect(existsSync(join(work, 'leaked'))).toBe(false);
  });
});
