import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon, writeTree, type CommandResult } from './harness.js';
import { BERTH } from './paths.js';

const d = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-cli-build-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A directory holding these files (paths relative to it), made fresh under the test's temp dir. */
function context(name: string, files: Record<string, string>): Promise<string> {
  return writeTree(join(work, name), files);
}

function ok(result: CommandResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** What a command prints in a fresh container of the image. */
async function inImage(image: string, command: string): Promise<string> {
  return ok(await d.berth(['run', '--rm', image, 'sh', '-c', command]));
}

async function imageId(image: string): Promise<string> {
  return ok(await d.berth(['image', 'inspect', '--format', '{{.Id}}', image])).trim();
}

describe('berth build (classic builder)', () => {
  it('builds a directory context and tags the image with every -t', async () => {
    const dir = await context('tags', { Dockerfile: 'FROM busybox\nCOPY hello /hello\nRUN echo built > /built\n', hello: 'hello from the context\n' });
    const out = ok(await d.berth(['build', '-t', 'built:one', '-t', 'built:two', dir]));
    expect(out).toMatch(/^Sending build context to Docker daemon +\d/);
    expect(out).toContain('Step 1/3 : FROM busybox');
    expect(out).toContain('Successfully tagged built:one');
    expect(await imageId('built:one')).toBe(await imageId('built:two'));
    expect(await inImage('built:one', 'cat /hello /built')).toBe('hello from the context\nbuilt\n');
  });

  it('redraws the "Sending build context" line on a terminal as the context goes, and prints it once elsewhere', async () => {
    const dir = await context('sending', { Dockerfile: 'FROM busybox\nCOPY blob /blob\n', blob: 'x'.repeat(3_000_000) });
    // script(1) gives berth a pseudo-terminal as stdout and copies what it writes there.
    const onTerminal = ok(await run('script', ['-qec', `${process.execPath} ${BERTH} build -t sending:tty ${dir}`, '/dev/null'], { env: d.env }));
    const updates = onTerminal.match(/Sending build context to Docker daemon +[\d.]+[kMG]?B\r/g) ?? [];
    // The first update comes after 512 KiB, the last says 3 MB.
    expect(updates.length, onTerminal).toBeGreaterThanOrEqual(2);
    expect(updates.at(-1)).toBe('Sending build context to Docker daemon  3.003MB\r');
    // The terminal turns the line's final \r\n into \r\r\n.
    expect(onTerminal).toMatch(/Sending build context to Docker daemon {2}3\.003MB\r\r+\n/);
    const offTerminal = ok(await d.berth(['build', '-t', 'sending:plain', dir]));
    expect(offTerminal.match(/Sending build context/g)).toHaveLength(1);
  });

  it('prints only the image ID with -q, and writes it to --iidfile', async () => {
    const dir = await context('quiet', { Dockerfile: 'FROM busybox\nRUN echo quiet > /q\n' });
    const out = ok(await d.berth(['build', '-q', '-t', 'built:quiet', dir]));
    expect(out).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(out.trim()).toBe(await imageId('built:quiet'));

    const iidfile = join(work, 'iid');
    await writeFile(iidfile, 'stale');
    const loud = ok(await d.berth(['build', '--iidfile', iidfile, '-t', 'built:iid', dir]));
    expect(loud).toContain('Successfully built');
    // docker writes the bare ID, no newline.
    expect(await readFile(iidfile, 'utf8')).toBe(await imageId('built:iid'));
  });

  it('passes --build-arg values, a bare name taking its value from the environment', async () => {
    const dir = await context('args', { Dockerfile: 'FROM busybox\nARG GIVEN\nARG FROM_ENV\nARG UNSET=default\nRUN echo "$GIVEN $FROM_ENV $UNSET" > /args\n' });
    const result = await run(process.execPath, [BERTH, 'build', '--build-arg', 'GIVEN=one', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET', '-t', 'built:args', dir], {
      env: { ...d.env, FROM_ENV: 'two' },
    });
    ok(result);
    expect(await inImage('built:args', 'cat /args')).toBe('one two default\n');
  });

  it('sets --label on the image', async () => {
    const dir = await context('labels', { Dockerfile: 'FROM busybox\n' });
    ok(await d.berth(['build', '--label', 'team=berth', '--label', 'empty', '-t', 'built:labels', dir]));
    const labels = JSON.parse(ok(await d.berth(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'built:labels']))) as Record<string, string>;
    expect(labels).toMatchObject({ team: 'berth', empty: '' });
  });

  it('takes a Dockerfile from outside the context (-f), without sending it as a context file', async () => {
    const dir = await context('outside-ctx', { a: 'from the context\n' });
    const dockerfile = join(await context('outside-df', { 'Build.dockerfile': 'FROM busybox\nCOPY . /ctx/\n' }), 'Build.dockerfile');
    ok(await d.berth(['build', '-f', dockerfile, '-t', 'built:outside', dir]));
    // The Dockerfile went under a random name, listed in a .dockerignore made for it that lists itself too: the daemon drops both.
    expect(await inImage('built:outside', 'ls -A /ctx')).toBe('a\n');
    expect(await inImage('built:outside', 'cat /ctx/a')).toBe('from the context\n');
  });

  it('reads the Dockerfile from stdin with -f - and a directory context', async () => {
    const dir = await context('stdin-df', { a: 'a\n' });
    ok(await d.berth(['build', '-f', '-', '-t', 'built:stdin-df', dir], 'FROM busybox\nCOPY a /a\n'));
    expect(await inImage('built:stdin-df', 'cat /a')).toBe('a\n');
  });

  it('builds `-`: a Dockerfile alone on stdin', async () => {
    ok(await d.berth(['build', '-t', 'built:stdin', '-'], 'FROM busybox\nRUN echo from-stdin > /s\n'));
    expect(await inImage('built:stdin', 'cat /s')).toBe('from-stdin\n');
  });

  it('leaves .dockerignore\'d files out of the context, but still sends the Dockerfile and .dockerignore', async () => {
    const dir = await context('ignore', {
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
      '.dockerignore': 'secret.txt\nlogs\n!logs/keep\n*.tmp\nDockerfile\n.dockerignore\n',
      'secret.txt': 'do not send\n',
      'logs/a': 'a',
      'logs/keep': 'kept',
      'x.tmp': 'x',
      'kept.txt': 'kept',
    });
    ok(await d.berth(['build', '-t', 'built:ignore', dir]));
    // The daemon drops the ignored Dockerfile and .dockerignore from COPY, as docker's does; the CLI only has to send them.
    expect(await inImage('built:ignore', 'cd /ctx && find . | sort')).toBe('.\n./kept.txt\n./logs\n./logs/keep\n');
  });

  it('fails a RUN step with docker\'s message and the command\'s exit code', async () => {
    const dir = await context('fails', { Dockerfile: 'FROM busybox\nRUN echo before\nRUN exit 3\n' });
    const result = await d.berth(['build', dir]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("The command '/bin/sh -c exit 3' returned a non-zero code: 3\n");
    expect(result.stdout).toContain('Step 3/3 : RUN exit 3');

    const quiet = await d.berth(['build', '-q', dir]);
    expect(quiet.code).toBe(3);
    expect(quiet.stdout).toBe('');
    // docker -q shows the hidden output on stderr when the build fails.
    expect(quiet.stderr).toContain('Step 3/3 : RUN exit 3');
    expect(quiet.stderr).toMatch(/The command '\/bin\/sh -c exit 3' returned a non-zero code: 3\n$/);
  });

  it('fails with exit status 1 when the error has no code (an unknown instruction)', async () => {
    const dir = await context('bad-instruction', { Dockerfile: 'FROM busybox\nFROBNICATE now\n' });
    const result = await d.berth(['build', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/frobnicate/i);
  });

  it('refuses a docker flag it does not honour, and a remote context, saying so', async () => {
    const dir = await context('refused', { Dockerfile: 'FROM busybox\n' });
    const squash = await d.berth(['build', '--squash', dir]);
    expect(squash.code).toBe(125);
    expect(squash.stderr).toContain('invalid argument "true" for "--squash" flag: not supported by berth\'s builder');
    const remote = await d.berth(['build', 'https://example.invalid/repo.git']);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toBe('unable to prepare context: remote build contexts (git repositories, URLs) are not supported by berth: https://example.invalid/repo.git\n');
  });

  it('is also `berth image build` and `berth builder build`', async () => {
    const dir = await context('aliases', { Dockerfile: 'FROM busybox\nRUN echo alias > /alias\n' });
    ok(await d.berth(['image', 'build', '-q', '-t', 'built:image-build', dir]));
    ok(await d.berth(['builder', 'build', '-q', '-t', 'built:builder-build', dir]));
    expect(await inImage('built:builder-build', 'cat /alias')).toBe('alias\n');
  });
});

describe('berth builder prune', () => {
  it('asks first, as docker does, and does nothing when the answer is not y', async () => {
    const declined = await d.berth(['builder', 'prune'], 'n\n');
    expect(declined).toEqual({
      code: 0,
      stdout: 'WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] ',
      stderr: '',
    });
    const all = await d.berth(['builder', 'prune', '--all'], 'n\n');
    expect(all.stdout).toBe('WARNING! This will remove all build cache. Are you sure you want to continue? [y/N] ');
  });

  it('prunes with -f and reports the reclaimed space', async () => {
    const result = await d.berth(['builder', 'prune', '-f']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/(^|\n)Total reclaimed space: \d+(\.\d+)?[kMGT]?B\n$/);
    const all = await d.berth(['builder', 'prune', '-a', '-f', '--filter', 'until=24h']);
    expect(all.code, all.stderr).toBe(0);
  });

  it('shows a Build Cache row in system df', async () => {
    expect(ok(await d.berth(['system', 'df']))).toMatch(/^Build Cache +\d+ +\d+ +\S+ +\S+$/m);
  });
});
