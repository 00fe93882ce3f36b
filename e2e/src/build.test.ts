import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savedLayers } from './docker-archive.js';
import { run, useTestDaemon, writeTree, type CommandResult } from './harness.js';

const d = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-build-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A context directory with these files (a string is a file's content). */
function context(name: string, files: Record<string, string>): Promise<string> {
  return writeTree(join(work, name), files);
}

/** The real docker CLI's classic builder against the test daemon. */
function dockerBuild(args: string[], input?: string): Promise<CommandResult> {
  return run('docker', ['build', ...args], { env: { ...d.env, DOCKER_BUILDKIT: '0' }, ...(input !== undefined ? { input } : {}) });
}

async function dockerOk(args: string[]): Promise<string> {
  const result = await run('docker', args, { env: d.env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function inspectConfig(image: string): Promise<Record<string, unknown>> {
  return (await d.docker.getImage(image).inspect()).Config as unknown as Record<string, unknown>;
}

const EVERY_INSTRUCTION = `# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM \${BASE} AS base
MAINTAINER someone@example.com
ARG GREETING=hello
ENV APP_HOME=/app \\
    MODE="two words"
LABEL org.example.name="every instruction" version=1
WORKDIR \${APP_HOME}
COPY --chown=1000:1000 files/ ./files/
COPY --chmod=0640 secret.conf /etc/app.conf
ADD archive.tar /unpacked/
RUN echo "$GREETING from $MODE" > /greeting && chmod 0604 /greeting
RUN <<EOF
echo heredoc > /heredoc.txt
EOF
USER 1000:1000
EXPOSE 80 8080/udp
VOLUME ["/data"]
HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD test -f /greeting
SHELL ["/bin/sh", "-c"]
STOPSIGNAL SIGTERM
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /greeting"]
`;

/** A tar with one file, for ADD's auto-extraction. */
async function tarWith(name: string, content: string): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('docker build (classic builder) against berthd', () => {
  it('builds a Dockerfile using every instruction, as inspect, run and history show', async () => {
    const dir = await context('every', { Dockerfile: EVERY_INSTRUCTION, 'files/a.txt': 'a\n', 'files/sub/b.txt': 'b\n', 'secret.conf': 'conf\n' });
    await writeFile(join(dir, 'archive.tar'), await tarWith('inside.txt', 'from the archive\n'));
    const built = await dockerBuild(['-t', 'every:1', dir]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^Step 1\/21 : ARG BASE=busybox\nStep 2\/21 : FROM \$\{BASE\} AS base$/m);
    expect(built.stdout).toMatch(/^Successfully built [0-9a-f]{12}$/m);
    expect(built.stdout).toMatch(/^Successfully tagged every:1$/m);

    const config = await inspectConfig('every:1');
    expect(config.Env).toEqual(expect.arrayContaining(['APP_HOME=/app', 'MODE=two words']));
    expect(config.Env).not.toEqual(expect.arrayContaining([expect.stringMatching(/^GREETING=/)]));
    expect(config.Cmd).toEqual(['cat /greeting']);
    expect(config.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(config.WorkingDir).toBe('/app');
    expect(config.User).toBe('1000:1000');
    expect(config.Labels).toEqual({ 'org.example.name': 'every instruction', version: '1' });
    expect(config.ExposedPorts).toEqual({ '80/tcp': {}, '8080/udp': {} });
    expect(config.Volumes).toEqual({ '/data': {} });
    expect(config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -f /greeting'], Interval: 5e9, Timeout: 3e9, Retries: 2 });
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Shell).toEqual(['/bin/sh', '-c']);
    expect(config.OnBuild).toEqual(['RUN echo triggered']);
    const image = await d.docker.getImage('every:1').inspect();
    expect(image.Author).toBe('someone@example.com');

    const listing = await dockerOk([
      'run', '--rm', '--user', '0', '--entrypoint', 'sh', 'every:1', '-c',
      'stat -c "%n %u:%g %a" /app/files/a.txt /app/files/sub/b.txt /etc/app.conf /greeting; cat /unpacked/inside.txt /heredoc.txt',
    ]);
    expect(listing.split('\n')).toEqual([
      '/app/files/a.txt 1000:1000 644',
      '/app/files/sub/b.txt 1000:1000 644',
      '/etc/app.conf 0:0 640',
      '/greeting 0:0 604',
      'from the archive',
      'heredoc',
      '',
    ]);
    expect(await dockerOk(['run', '--rm', 'every:1'])).toBe('hello from two words\n');

    const history = await d.docker.getImage('every:1').history();
    const busyboxHistory = await d.docker.getImage('busybox').history();
    // One entry per step after FROM.
    expect(history.length - busyboxHistory.length).toBe(19);
    expect(history[0]!.CreatedBy).toBe('/bin/sh -c #(nop)  CMD ["cat /greeting"]');
  });

  it('runs ONBUILD triggers of the base image, and builds a Dockerfile read from stdin', async () => {
    const built = await dockerBuild(['-t', 'triggered', '-'], 'FROM every:1\nRUN true\n');
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain('# Executing 1 build trigger');
    expect(built.stdout).toMatch(/^triggered$/m);
    expect((await inspectConfig('triggered')).OnBuild).toBeNull();
  });

  it('a two-stage build leaves the first stage out of the image; --target builds only what it needs', async () => {
    const dir = await context('stages', {
      Dockerfile: [
        'FROM busybox AS builder',
        'RUN echo built > /artifact && dd if=/dev/zero of=/big bs=1k count=512 2>/dev/null',
        'FROM busybox AS unused',
        'RUN echo unused-stage-ran',
        'FROM busybox',
        'COPY --from=builder /artifact /artifact',
        'CMD ["cat", "/artifact"]',
        '',
      ].join('\n'),
    });
    const built = await dockerBuild(['-t', 'two-stage', dir]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).not.toMatch(/^unused-stage-ran$/m);
    expect(await dockerOk(['run', '--rm', 'two-stage'])).toBe('built\n');
    const layers = (await d.docker.getImage('two-stage').inspect()).RootFS.Layers ?? [];
    const base = (await d.docker.getImage('busybox').inspect()).RootFS.Layers ?? [];
    expect(layers.length).toBe(base.length + 1);
    const noBig = await run('docker', ['run', '--rm', 'two-stage', 'test', '-e', '/big'], { env: d.env });
    expect(noBig.code).toBe(1);

    const target = await dockerBuild(['--target', 'builder', '-t', 'only-builder', dir]);
    expect(target.code, target.stderr).toBe(0);
    expect(target.stdout.match(/^Step \d+\/\d+ : .*$/gm)).toEqual(['Step 1/2 : FROM busybox AS builder', expect.stringMatching(/^Step 2\/2 : RUN echo built/)]);
    const missing = await dockerBuild(['--target', 'nope', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failed to reach build target nope in Dockerfile');
  });

  it('rebuilds from the cache, reruns from a changed copied file on, and keeps the cache across a restart', async () => {
    const dir = await context('cache', {
      Dockerfile: 'FROM busybox\nENV A=1\nCOPY one.txt /one.txt\nRUN echo ran-after-one\nCOPY two.txt /two.txt\nRUN echo ran-after-two\n',
      'one.txt': 'one\n',
      'two.txt': 'two\n',
    });
    const first = await dockerBuild(['-t', 'cached', dir]);
    expect(first.code, first.stderr).toBe(0);
    const again = await dockerBuild(['-t', 'cached', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.match(/Using cache/g)).toHaveLength(5);
    expect(again.stdout).not.toMatch(/^ran-after/m);
    expect(again.stdout.match(/Successfully built (\w+)/)![1]).toBe(first.stdout.match(/Successfully built (\w+)/)![1]);

    await writeFile(join(dir, 'two.txt'), 'two, changed\n');
    const changed = await dockerBuild(['-t', 'cached', dir]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout.match(/Using cache/g)).toHaveLength(3);
    expect(changed.stdout).not.toMatch(/^ran-after-one$/m);
    expect(changed.stdout).toMatch(/^ran-after-two$/m);

    // Only contents and modes count: a new mtime changes nothing.
    await utimes(join(dir, 'one.txt'), new Date(), new Date(2000, 1, 1));
    await d.restart();
    // The context kept for reuse is not: which files it holds was the earlier daemon's knowledge.
    expect(await readdir(join(d.dataRoot, 'builder/contexts')).catch(() => [])).toEqual([]);
    expect(((await d.docker.df()) as unknown as { BuildCache: Array<{ Type: string }> }).BuildCache.filter((r) => r.Type === 'source.local')).toEqual([]);
    const afterRestart = await dockerBuild(['-t', 'cached', dir]);
    expect(afterRestart.code, afterRestart.stderr).toBe(0);
    expect(afterRestart.stdout.match(/Using cache/g)).toHaveLength(5);

    const noCache = await dockerBuild(['--no-cache', '-t', 'cached', dir]);
    expect(noCache.stdout).not.toContain('Using cache');
    expect(noCache.stdout).toMatch(/^ran-after-one$/m);
  });

  it('a failing RUN exits with its code and message, and leaves no container', async () => {
    const before = await dockerOk(['ps', '-aq']);
    const dir = await context('failing', { Dockerfile: 'FROM busybox\nRUN echo failing && exit 3\n' });
    const failed = await dockerBuild(['-t', 'never', dir]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("The command '/bin/sh -c echo failing && exit 3' returned a non-zero code: 3");
    expect(failed.stdout).toContain('failing\n');
    expect(await dockerOk(['ps', '-aq'])).toBe(before);
    const quiet = await dockerBuild(['-q', dir]);
    expect(quiet.code).toBe(3);
  });

  it('never copies a .dockerignored file, and copies a symlink to /etc as the link', async () => {
    const dir = await context('ignore', {
      Dockerfile: 'FROM busybox\nCOPY . /ctx\n',
      '.dockerignore': 'secret.txt\n**/*.key\n!keep.key\n',
      'secret.txt': 'top secret\n',
      'sub/private.key': 'key\n',
      'keep.key': 'kept\n',
      'public.txt': 'public\n',
    });
    await symlink('/etc', join(dir, 'etclink'));
    const built = await dockerBuild(['-t', 'ignoring', dir]);
    expect(built.code, built.stderr).toBe(0);
    const listing = await dockerOk(['run', '--rm', 'ignoring', 'sh', '-c', 'cd /ctx && find . | sort && readlink etclink']);
    expect(listing).not.toContain('secret.txt');
    expect(listing).not.toContain('private.key');
    expect(listing).toContain('./keep.key');
    expect(listing).toContain('./public.txt');
    expect(listing).toContain('/etc\n');

    const escaping = await context('escaping', { Dockerfile: 'FROM busybox\nCOPY etclink/passwd /stolen\n' });
    await symlink('/etc', join(escaping, 'etclink'));
    const refused = await dockerBuild([escaping]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/COPY failed: .*etclink\/passwd/);
  });

  it('keeps the last context as build cache: the next build links its unchanged files, and builder prune removes it', async () => {
    const dir = await context('reuse', { Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', 'same.txt': 'same\n', 'edited.txt': 'before\n', '.dockerignore': 'secret.txt\n', 'secret.txt': 'hunter2\n' });
    // The kept context is the build cache record of type source.local; its ID names its directory.
    const keptRecord = async (): Promise<{ ID: string; Size: number } | undefined> =>
      ((await d.docker.df()) as unknown as { BuildCache: Array<{ ID: string; Type: string; Size: number }> }).BuildCache.find((r) => r.Type === 'source.local');
    const kept = async (): Promise<string> => join(d.dataRoot, 'builder/contexts', (await keptRecord())!.ID);
    const first = await dockerBuild(['-q', '-t', 'reuse', dir]);
    expect(first.code, first.stderr).toBe(0);
    const firstKept = await kept();
    expect((await readdir(firstKept)).sort()).toEqual(['.dockerignore', 'Dockerfile', 'edited.txt', 'same.txt']);
    const inode = async (path: string): Promise<number> => (await lstat(path)).ino;
    const sameInode = await inode(join(firstKept, 'same.txt'));
    const editedInode = await inode(join(firstKept, 'edited.txt'));
    expect((await keptRecord())?.Size).toBeGreaterThanOrEqual('same\n'.length + 'before\n'.length);

    await writeFile(join(dir, 'edited.txt'), 'after\n');
    const second = await dockerBuild(['-q', '--no-cache', '-t', 'reuse', dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(await dockerOk(['run', '--rm', 'reuse', 'cat', '/ctx/same.txt', '/ctx/edited.txt'])).toBe('same\nafter\n');
    const secondKept = await kept();
    expect(secondKept).not.toBe(firstKept);
    expect(await inode(join(secondKept, 'same.txt'))).toBe(sameInode);
    expect(await inode(join(secondKept, 'edited.txt'))).not.toBe(editedInode);

    const pruned = await run('docker', ['builder', 'prune', '-f'], { env: d.env });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(await readdir(join(d.dataRoot, 'builder/contexts'))).toEqual([]);
    expect(await keptRecord()).toBeUndefined();
  });

  it('keeps every step container with --rm=false, usable after the build: started again, copied from', async () => {
    const before = new Set((await dockerOk(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean));
    const dir = await context('kept-steps', { Dockerfile: 'FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n', 'a.txt': 'a\n' });
    const built = await dockerBuild(['--rm=false', '--no-cache', '-t', 'kept-steps', dir]);
    expect(built.code, built.stderr).toBe(0);
    const kept = (await dockerOk(['ps', '-aq', '--no-trunc'])).split('\n').filter((id) => id !== '' && !before.has(id));
    const docker = (args: string[]): Promise<CommandResult> => run('docker', args, { env: d.env });
    try {
      // A step container the build keeps is mounted as any container is (not volatile): it starts again and is read from.
      expect(kept).toHaveLength(2);
      for (const id of kept) {
        // Its root was mounted during the build (the put, the RUN): no kernel marker of a volatile mount.
        await expect(lstat(join(d.dataRoot, 'containers', id, 'work/work/incompat'))).rejects.toThrow(/ENOENT/);
        const started = await docker(['start', '-a', id]);
        expect(started.code, started.stderr).toBe(0);
        const copied = await docker(['cp', `${id}:/a.txt`, '-']);
        expect(copied.code, copied.stderr).toBe(0);
      }
    } finally {
      for (const id of kept) await docker(['rm', '-f', id]);
    }
  });

  it("builds large files into layers whose content and saved tars match their diffIDs (step containers' files linked)", async () => {
    const big = randomBytes(300 * 1024);
    const dir = join(work, 'large-files');
    await mkdir(dir);
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY big.bin /big.bin\nRUN cat /big.bin /big.bin > /twice.bin && chmod 4755 /twice.bin\n');
    await writeFile(join(dir, 'big.bin'), big);
    const built = await dockerBuild(['--no-cache', '-t', 'large-files', dir]);
    expect(built.code, built.stderr).toBe(0);
    const sums = await dockerOk(['run', '--rm', 'large-files', 'sh', '-c', 'md5sum /big.bin /twice.bin; stat -c %a /twice.bin']);
    const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
    expect(sums).toBe(`${md5(big)}  /big.bin\n${md5(Buffer.concat([big, big]))}  /twice.bin\n4755\n`);
    // Every layer's kept tar (what save and push send) still hashes to its diffID.
    const archive = join(work, 'large-files.tar');
    await dockerOk(['save', '-o', archive, 'large-files']);
    const { diffIds, layers } = await savedLayers(archive);
    expect(layers.map((layer) => `sha256:${createHash('sha256').update(layer).digest('hex')}`)).toEqual(diffIds);
    // The build's step containers are gone: none is left marked for removal.
    expect(await dockerOk(['ps', '-a', '--filter', 'status=dead', '-q'])).toBe('');
  });

  it('answers a bad Dockerfile with a 400 naming the line', async () => {
    const dir = await context('bad', { Dockerfile: 'FROM busybox\nFOOBAR x\n' });
    const bad = await dockerBuild([dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/dockerfile parse error (on )?line 2: unknown instruction: FOOBAR/i);
  });

  it('serves dockerode buildImage with a tar stream and its progress, --build-arg and labels', async () => {
    const tar = pack();
    tar.entry({ name: 'Dockerfile' }, 'FROM busybox\nARG WHO\nRUN echo "hi $WHO" > /who\n');
    tar.finalize();
    const stream = await d.docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: 'from-dockerode', buildargs: { WHO: 'dockerode', UNUSED: 'x' }, labels: { via: 'dockerode' } });
    const events = await new Promise<Array<{ stream?: string; aux?: { ID: string }; error?: string }>>((resolve, reject) =>
      d.docker.modem.followProgress(stream, (err: Error | null, output: Array<{ stream?: string }>) => (err ? reject(err) : resolve(output))),
    );
    const text = events.map((e) => e.stream ?? '').join('');
    expect(events.some((e) => e.error !== undefined)).toBe(false);
    expect(events.find((e) => e.aux !== undefined)?.aux?.ID).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(text).toContain('Step 4/4 : LABEL via=dockerode');
    expect(text).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
    expect(await dockerOk(['run', '--rm', 'from-dockerode', 'cat', '/who'])).toBe('hi dockerode\n');
    expect((await inspectConfig('from-dockerode')).Labels).toEqual({ via: 'dockerode' });
  });

  it('shows the build cache in system df and frees it with builder prune', async () => {
    const df = await d.docker.df();
    const cache = (df as unknown as { BuildCache: Array<{ Size: number }> }).BuildCache;
    expect(cache.length).toBeGreaterThan(0);
    const images = await dockerOk(['images', '-q']);
    const kept = await run('docker', ['builder', 'prune', '-f', '--keep-storage', '100g'], { env: d.env });
    expect(kept.stdout).toBe('Total reclaimed space: 0B\n');
    expect(((await d.docker.df()) as unknown as { BuildCache: unknown[] }).BuildCache).toHaveLength(cache.length);
    const pruned = await run('docker', ['builder', 'prune', '-f'], { env: d.env });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/Total reclaimed space: /);
    const after = (await d.docker.df()) as unknown as { BuildCache: unknown[] };
    expect(after.BuildCache).toEqual([]);
    // Built images stay; only the cache went.
    expect(await dockerOk(['images', '-q'])).toBe(images);
    const rebuilt = await dockerBuild(['-t', 'cached', join(work, 'cache')]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).not.toContain('Using cache');
  });

  it('keeps RUN layers free of the runtime\'s mount points, copies into VOLUME paths and from them, and prints meta ARGs', async () => {
    const dir = await context('volumes', {
      Dockerfile: [
        'ARG BASE=busybox',
        'FROM ${BASE} AS a',
        'RUN mkdir /data && echo from-a > /data/f',
        'VOLUME /data',
        'FROM busybox',
        'RUN true',
        'VOLUME /data',
        'COPY f /data/f',
        'COPY --from=a /data/f /from-a',
        'ENV HTTP_PROXY=from-env',
        'RUN cat /data/f /from-a && echo "proxy $HTTP_PROXY"',
        '',
      ].join('\n'),
      f: 'copied\n',
    });
    const built = await dockerBuild(['--build-arg', 'HTTP_PROXY=from-arg', '-t', 'volumes', dir]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^Step 1\/11 : ARG BASE=busybox$/m);
    expect(built.stdout).toMatch(/^copied\nfrom-a\nproxy from-env$/m);
    // `RUN true` changed nothing: its history entry is an empty layer, and only the COPY steps added layers.
    const layers = (await d.docker.getImage('volumes').inspect()).RootFS.Layers ?? [];
    const base = (await d.docker.getImage('busybox').inspect()).RootFS.Layers ?? [];
    expect(layers.length).toBe(base.length + 2);
  });

  it('survives builder prune while it runs, and a daemon restart removes its step container', async () => {
    const dir = await context('long', { Dockerfile: 'FROM busybox AS a\nRUN echo x > /x\nFROM busybox\nRUN echo started && sleep 3\nCOPY --from=a /x /x\n' });
    const building = dockerBuild(['--no-cache', '-t', 'long', dir]);
    await waitForContainer();
    const pruned = await run('docker', ['builder', 'prune', '-f'], { env: d.env });
    expect(pruned.code, pruned.stderr).toBe(0);
    const result = await building;
    expect(result.code, result.stderr).toBe(0);

    const interrupted = dockerBuild(['--no-cache', '-t', 'long', dir]);
    await waitForContainer();
    await d.restart();
    expect((await interrupted).code).not.toBe(0);
    expect(await dockerOk(['ps', '-aq'])).toBe('');
  });
});

/** Until a build's step container runs. */
async function waitForContainer(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await dockerOk(['ps', '-q'])) !== '') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no step container started');
}
