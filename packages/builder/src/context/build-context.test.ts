import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerignoreMatcher, InvalidArgumentError, NotFoundError } from '@berth/api';
import { UnsafeArchiveEntryError } from '@berth/layer';
import { BuildContext } from './build-context.js';
import { makeTar, type TarSpec } from './test-support/tars.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let work: string;
let dir: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-context-test-'));
  dir = join(work, 'context');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const extract = async (entries: TarSpec[], options = {}) => BuildContext.extract(Readable.from([await makeTar(entries)]), dir, options);

async function digestOf(context: BuildContext, rel: string): Promise<string> {
  const stats = await lstat(join(context.root, rel));
  // A digest taken at extraction never opens the file again.
  return context.contentDigest(rel, stats, () => Promise.reject(new Error('read again')));
}

describe('BuildContext.extract', () => {
  it('extracts files, directories and links as they are, hashing every file in passing', async () => {
    const context = await extract([
      { name: 'app/', type: 'directory', mode: 0o750 },
      { name: 'app/main.js', content: 'console.log(1)\n', mode: 0o755 },
      { name: 'etc-link', type: 'symlink', linkname: '/etc' },
      { name: 'app/up', type: 'symlink', linkname: '../../outside' },
      { name: 'app/hard', type: 'link', linkname: 'app/main.js' },
    ]);
    expect(await readFile(join(dir, 'app/main.js'), 'utf8')).toBe('console.log(1)\n');
    expect((await lstat(join(dir, 'app'))).mode & 0o7777).toBe(0o750);
    expect((await lstat(join(dir, 'app/main.js'))).mode & 0o7777).toBe(0o755);
    expect(await readlink(join(dir, 'etc-link'))).toBe('/etc');
    // Docker keeps a link climbing out of the context (it is never followed); the layer extractor alone would refuse it.
    expect(await readlink(join(dir, 'app/up'))).toBe('../../outside');
    expect(await digestOf(context, 'app/main.js')).toBe(sha256('console.log(1)\n'));
    expect(await digestOf(context, 'app/hard')).toBe(sha256('console.log(1)\n'));
  });

  it('leaves device nodes out', async () => {
    await extract([{ name: 'null', type: 'character-device' }, { name: 'null-link', type: 'link', linkname: 'null' }, { name: 'ok', content: 'x' }]);
    expect((await readdir(dir)).sort()).toEqual(['ok']);
  });

  it.each([
    ['gzip', (tar: Buffer) => gzipSync(tar)],
    ['bzip2', (tar: Buffer) => execFileSync('bzip2', ['-c'], { input: tar })],
    ['xz', (tar: Buffer) => execFileSync('xz', ['-c'], { input: tar })],
    ['zstd', (tar: Buffer) => execFileSync('zstd', ['-c', '-q'], { input: tar })],
  ])('takes a %s-compressed context', async (_name, compress) => {
    const tar = await makeTar([{ name: 'Dockerfile', content: 'FROM scratch\n' }]);
    const context = await BuildContext.extract(Readable.from([compress(tar)]), dir);
    expect(await context.readDockerfile()).toBe('FROM scratch\n');
    expect(await digestOf(context, 'Dockerfile')).toBe(sha256('FROM scratch\n'));
  });

  it('streams a large file through, hashing it without holding it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const chunks = 48;
    const header = await makeTar([{ name: 'big', content: '' }]);
    // A tar of one 48 MiB file, produced lazily: header, content, padding, end blocks.
    const size = chunk.length * chunks;
    const headerBlock = Buffer.from(header.subarray(0, 512));
    headerBlock.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    headerBlock.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of headerBlock) sum += byte;
    headerBlock.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    async function* produce(): AsyncGenerator<Buffer> {
      yield headerBlock;
      for (let i = 0; i < chunks; i++) yield chunk;
      yield Buffer.alloc(1024);
    }
    const context = await BuildContext.extract(Readable.from(produce()), dir);
    const expected = createHash('sha256');
    for (let i = 0; i < chunks; i++) expected.update(chunk);
    expect(await digestOf(context, 'big')).toBe(expected.digest('hex'));
    expect((await lstat(join(dir, 'big'))).size).toBe(size);
  });

  it.each([
    ['corrupt xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 0x55)]), /^xz: /],
    ['text that is no archive', Buffer.from('FROM busybox\nRUN echo hi\n'), /^failed to read the build context archive: /],
  ])('refuses %s clearly', async (_name, body, message) => {
    await expect(BuildContext.extract(Readable.from([body]), dir)).rejects.toThrow(message);
    await expect(lstat(dir)).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ['without', undefined],
    ['with', () => undefined],
  ])('refuses a truncated archive as the archive\'s fault and removes what it extracted, %s kept files to link', async (_name, lend) => {
    const tar = await makeTar([{ name: 'f', content: Buffer.alloc(100_000, 1) }]);
    const extracting = BuildContext.extract(Readable.from([tar.subarray(0, 50_000)]), dir, lend === undefined ? {} : { lend });
    await expect(extracting).rejects.toThrow(InvalidArgumentError);
    await expect(extracting).rejects.toThrow(/^failed to read the build context archive: /);
    await expect(lstat(dir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a context with more file content than the bound (a decompression bomb)', async () => {
    const bomb = gzipSync(await makeTar([{ name: 'zeros', content: Buffer.alloc(2 * 1024 * 1024) }]));
    await expect(BuildContext.extract(Readable.from([bomb]), dir, { maxBytes: 1024 * 1024 })).rejects.toThrow(/exceeds the limit of 1048576 decompressed bytes/);
    await expect(lstat(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('BuildContext hostile archives', () => {
  const cases: { name: string; entries: (canary: string) => TarSpec[] }[] = [
    { name: 'dot-dot entry', entries: () => [{ name: '../canary/pwned', content: 'x' }] },
    { name: 'absolute entry', entries: (canary) => [{ name: `${canary}/pwned`, content: 'x' }] },
    { name: 'file through an earlier symlink', entries: (canary) => [{ name: 'l', type: 'symlink', linkname: canary }, { name: 'l/pwned', content: 'x' }] },
    {
      name: 'file through an earlier climbing symlink',
      entries: () => [{ name: 'l', type: 'symlink', linkname: '../canary' }, { name: 'l/pwned', content: 'x' }],
    },
    { name: 'hardlink to a file outside (relative)', entries: () => [{ name: 'h', type: 'link', linkname: '../canary/secret' }] },
    { name: 'hardlink to a file outside (absolute)', entries: (canary) => [{ name: 'h', type: 'link', linkname: `${canary}/secret` }] },
    {
      name: 'hardlink through a symlink',
      entries: (canary) => [{ name: 'l', type: 'symlink', linkname: canary }, { name: 'h', type: 'link', linkname: 'l/secret' }],
    },
  ];

  it.each(cases)('refuses $name, leaving the outside untouched', async ({ entries }) => {
    const canary = join(work, 'canary');
    await mkdir(canary);
    await writeFile(join(canary, 'secret'), 'secret');
    await expect(extract(entries(canary))).rejects.toThrow(UnsafeArchiveEntryError);
    expect(await readdir(canary)).toEqual(['secret']);
    expect(await readFile(join(canary, 'secret'), 'utf8')).toBe('secret');
    await expect(lstat(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('.dockerignore', () => {
  const tree: TarSpec[] = [
    { name: 'Dockerfile', content: 'FROM scratch\n' },
    { name: 'secret', content: 's' },
    { name: 'a.log', content: 'l' },
    { name: 'build/', type: 'directory' },
    { name: 'build/other', content: 'o' },
    { name: 'build/keep.txt', content: 'k' },
    { name: 'src/', type: 'directory' },
    { name: 'src/a.log', content: 'nested' },
  ];
  const dockerignore: TarSpec = { name: '.dockerignore', content: 'secret\n*.log\nbuild\n!build/keep.txt\nDockerfile\n.dockerignore\n' };

  it.each([
    ['first', [dockerignore, ...tree]],
    ['last', [...tree, dockerignore]],
  ])('applies when it comes %s: excluded paths are gone, the build files readable but hidden', async (_where, entries) => {
    const context = await extract(entries, { ignoreRules: dockerignoreMatcher });
    expect((await readdir(dir)).sort()).toEqual(['.dockerignore', 'Dockerfile', 'build', 'src']);
    expect(await readdir(join(dir, 'build'))).toEqual(['keep.txt']);
    expect(await readdir(join(dir, 'src'))).toEqual(['a.log']);
    expect(await context.readDockerfile()).toBe('FROM scratch\n');
    expect(context.isHidden('Dockerfile')).toBe(true);
    expect(context.isHidden('.dockerignore')).toBe(true);
    expect(context.isHidden('src/a.log')).toBe(false);
  });

  it('keeps a Dockerfile given by name although excluded', async () => {
    const context = await extract(
      [
        { name: 'ci/Dockerfile.ci', content: 'FROM busybox\n' },
        { name: '.dockerignore', content: 'ci\n' },
      ],
      { ignoreRules: dockerignoreMatcher, dockerfile: 'ci/Dockerfile.ci' },
    );
    expect(await context.readDockerfile('ci/Dockerfile.ci')).toBe('FROM busybox\n');
    expect(context.isHidden('ci/Dockerfile.ci')).toBe(true);
  });
});

describe('readDockerfile', () => {
  it('falls back to a lower-case dockerfile, as moby does', async () => {
    const context = await extract([{ name: 'dockerfile', content: 'FROM a\n' }]);
    expect(await context.readDockerfile()).toBe('FROM a\n');
  });

  it("names a missing Dockerfile with moby's message", async () => {
    const context = await extract([{ name: 'x', content: '' }]);
    await expect(context.readDockerfile()).rejects.toThrow(new NotFoundError('Cannot locate specified Dockerfile: Dockerfile'));
    await expect(context.readDockerfile('sub/Dockerfile.dev')).rejects.toThrow('Cannot locate specified Dockerfile: sub/Dockerfile.dev');
  });

  it('refuses a path climbing out of the context', async () => {
    const context = await extract([{ name: 'Dockerfile', content: 'FROM a\n' }]);
    await expect(context.readDockerfile('../Dockerfile')).rejects.toThrow('forbidden path outside the build context: ../Dockerfile ()');
  });

  it('follows a symlinked Dockerfile inside the context only', async () => {
    const context = await extract([
      { name: 'real', content: 'FROM real\n' },
      { name: 'Dockerfile', type: 'symlink', linkname: '/real' },
      { name: 'passwd', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    expect(await context.readDockerfile()).toBe('FROM real\n');
    await expect(context.readDockerfile('passwd')).rejects.toThrow('Cannot locate specified Dockerfile: passwd');
  });

  it('refuses an empty Dockerfile', async () => {
    const context = await extract([{ name: 'Dockerfile', content: '' }]);
    await expect(context.readDockerfile()).rejects.toThrow('the Dockerfile (Dockerfile) cannot be empty');
  });
});

describe('BuildContext remove and .dockerignore on hostile archives', () => {
  it('remove deletes the context and its downloads', async () => {
    const context = await extract([{ name: 'Dockerfile', content: 'FROM b\n' }]);
    expect(await context.readDockerfile()).toBe('FROM b\n');
    const scratch = await context.scratchDir();
    await context.remove();
    await expect(lstat(dir)).rejects.toThrow(/ENOENT/);
    await expect(lstat(scratch)).rejects.toThrow(/ENOENT/);
  });

  it('never deletes through a symlink a later entry put above an ignored path', async () => {
    const victim = await mkdtemp(join(tmpdir(), 'berth-victim-'));
    try {
      await writeFile(join(victim, 'x'), 'host file');
      // `d/x` is first a link climbing out (deferred), then `d` becomes a link to the host, then `d/x` a device (skipped).
      await extract(
        [
          { name: 'd/x', type: 'symlink', linkname: '../../../up' },
          { name: 'd', type: 'symlink', linkname: victim },
          { name: 'd/x', type: 'character-device' },
          { name: '.dockerignore', content: 'd/x\n' },
          { name: 'Dockerfile', content: 'FROM b\n' },
        ],
        { ignoreRules: dockerignoreMatcher },
      ).catch(() => undefined);
      expect(await readFile(join(victim, 'x'), 'utf8')).toBe('host file');
    } finally {
      await rm(victim, { recursive: true, force: true });
    }
  });
});
