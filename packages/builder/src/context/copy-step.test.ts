import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dockerignoreMatcher, InvalidArgumentError, NotFoundError } from '@berth/api';
import { BuildContext } from './build-context.js';
import { prepareCopy, type CopyRequest } from './copy-step.js';
import { DirContainer } from './test-support/dir-container.js';
import { makeTar, type TarSpec } from './test-support/tars.js';

const CONTEXT_TREE: TarSpec[] = [
  { name: 'Dockerfile', content: 'FROM scratch\n' },
  { name: 'a.txt', content: 'A' },
  { name: 'b.txt', content: 'B', mode: 0o600 },
  { name: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 },
  { name: 'dir/', type: 'directory', mode: 0o750 },
  { name: 'dir/x', content: 'X' },
  { name: 'dir/sub/', type: 'directory' },
  { name: 'dir/sub/y', content: 'Y' },
  { name: 'dir/passwd-link', type: 'symlink', linkname: '/etc/passwd' },
  { name: 'etc-link', type: 'symlink', linkname: '/etc' },
  { name: 'up', type: 'symlink', linkname: '../../..' },
  { name: 'alias', type: 'symlink', linkname: 'dir/x' },
];

let work: string;
let context: BuildContext;
let container: DirContainer;

async function contextOf(entries: TarSpec[], options = {}): Promise<BuildContext> {
  return BuildContext.extract(Readable.from([await makeTar(entries)]), join(await mkdtemp(join(work, 'ctx-')), 'context'), options);
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-copy-test-'));
  context = await contextOf([
    ...CONTEXT_TREE,
    { name: 'app.tar.gz', content: gzipSync(await makeTar([{ name: 'pkg/', type: 'directory' }, { name: 'pkg/file', content: 'P', uid: 42, gid: 43 }])) },
    { name: 'fake.gz', content: gzipSync('not a tar') },
    { name: 'plain.tar', content: await makeTar([{ name: 'inner', content: 'I' }]) },
  ]);
  const root = join(work, 'rootfs');
  await mkdir(join(root, 'existing'), { recursive: true, mode: 0o700 });
  await chmod(join(root, 'existing'), 0o700);
  await chown(join(root, 'existing'), 5, 5);
  await mkdir(join(root, 'srv'));
  await symlink('/srv', join(root, 'linkdir'));
  await writeFile(join(root, 'file'), 'f');
  container = new DirContainer(root, { app: { uid: 1000, gid: 1001 } });
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const inRoot = (path: string) => join(container.root, path);
const request = (fields: Partial<CopyRequest> & Pick<CopyRequest, 'sources' | 'dest'>): CopyRequest => ({ kind: 'COPY', heredocs: [], ...fields });

async function copy(fields: Partial<CopyRequest> & Pick<CopyRequest, 'sources' | 'dest'>, from = context) {
  const prepared = await prepareCopy(from, request(fields));
  await prepared.apply(container);
  return prepared;
}

/** The headers of the last put, by name. */
function putHeaders() {
  const entries = container.puts.at(-1) ?? [];
  return new Map(entries.map((e) => [e.header.name, e.header]));
}

describe('COPY placement', () => {
  it('copies a file into a directory destination, creating missing parents 0755 root-owned', async () => {
    await copy({ sources: ['a.txt'], dest: '/app/' });
    expect(await readFile(inRoot('app/a.txt'), 'utf8')).toBe('A');
    const headers = putHeaders();
    expect([...headers.keys()]).toEqual(['app/', 'app/a.txt']);
    expect(headers.get('app/')).toMatchObject({ mode: 0o755, uid: 0, gid: 0 });
    expect(headers.get('app/a.txt')).toMatchObject({ mode: 0o644, uid: 0, gid: 0 });
  });

  it('names a file after a destination without a slash, unless it is an existing directory', async () => {
    await copy({ sources: ['b.txt'], dest: '/renamed' });
    expect(await readFile(inRoot('renamed'), 'utf8')).toBe('B');
    expect((await lstat(inRoot('renamed'))).mode & 0o777).toBe(0o600);
    await copy({ sources: ['a.txt'], dest: '/existing' });
    expect(await readFile(inRoot('existing/a.txt'), 'utf8')).toBe('A');
    // The existing directory is not in the tar: its mode and owner stay.
    expect([...putHeaders().keys()]).toEqual(['existing/a.txt']);
    const stats = await lstat(inRoot('existing'));
    expect([stats.mode & 0o777, stats.uid]).toEqual([0o700, 5]);
  });

  it("copies a directory's contents, keeping modes and copying symlinks found inside as links", async () => {
    await copy({ sources: ['dir'], dest: '/dest' });
    expect(await readFile(inRoot('dest/x'), 'utf8')).toBe('X');
    expect(await readFile(inRoot('dest/sub/y'), 'utf8')).toBe('Y');
    expect(await readlink(inRoot('dest/passwd-link'))).toBe('/etc/passwd');
    await expect(lstat(inRoot('dest/dir'))).rejects.toThrow(/ENOENT/);
    expect((await lstat(inRoot('dest'))).mode & 0o777).toBe(0o755);
  });

  it('follows a symlink source inside the context, naming the copy after the link', async () => {
    await copy({ sources: ['alias'], dest: '/out/' });
    expect(await readFile(inRoot('out/alias'), 'utf8')).toBe('X');
    expect((await lstat(inRoot('out/alias'))).isFile()).toBe(true);
  });

  it('writes through a symlinked destination inside the container', async () => {
    await copy({ sources: ['a.txt'], dest: '/linkdir/' });
    expect(await readFile(inRoot('srv/a.txt'), 'utf8')).toBe('A');
    expect([...putHeaders().keys()]).toEqual(['srv/a.txt']);
  });

  it('needs a destination ending in / for several sources', async () => {
    await expect(prepareCopy(context, request({ sources: ['a.txt', 'b.txt'], dest: '/multi' }))).rejects.toThrow(
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
    await copy({ sources: ['a.txt', 'b.txt'], dest: '/multi/' });
    expect(await readFile(inRoot('multi/b.txt'), 'utf8')).toBe('B');
  });

  it('refuses to create a directory below a file', async () => {
    const prepared = await prepareCopy(context, request({ sources: ['a.txt'], dest: '/file/sub/' }));
    await expect(prepared.apply(container)).rejects.toThrow('mkdir /file: not a directory');
  });
});

describe('COPY sources', () => {
  it('expands wildcards over context paths', async () => {
    await copy({ sources: ['*.txt'], dest: '/w/' });
    expect(await readFile(inRoot('w/a.txt'), 'utf8')).toBe('A');
    expect(await readFile(inRoot('w/b.txt'), 'utf8')).toBe('B');
    await copy({ sources: ['dir/s?b'], dest: '/w2' });
    expect(await readFile(inRoot('w2/y'), 'utf8')).toBe('Y');
  });

  it("uses moby's messages for missing sources", async () => {
    await expect(prepareCopy(context, request({ sources: ['./missing.txt'], dest: '/' }))).rejects.toThrow(
      new NotFoundError('COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist'),
    );
    await expect(prepareCopy(context, request({ sources: ['*.none'], dest: '/' }))).rejects.toThrow('COPY failed: no source files were specified');
  });

  it('leaves build files excluded by .dockerignore out', async () => {
    // (`up` climbs above `/`: the layer extractor behind this fake's put refuses such a link.)
    const tree = CONTEXT_TREE.filter((e) => e.name !== 'up');
    const ignored = await contextOf([...tree, { name: '.dockerignore', content: 'Dockerfile\n.dockerignore\n' }], { ignoreRules: dockerignoreMatcher });
    await expect(prepareCopy(ignored, request({ sources: ['Dockerfile'], dest: '/' }))).rejects.toThrow('stat Dockerfile: file does not exist');
    await copy({ sources: ['.'], dest: '/all' }, ignored);
    await expect(lstat(inRoot('all/Dockerfile'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(inRoot('all/.dockerignore'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(inRoot('all/a.txt'), 'utf8')).toBe('A');
  });

  it('writes a here-document as a file named after it', async () => {
    await copy({ sources: [], heredocs: [{ name: 'motd', content: 'hello\n', expand: true }], dest: '/etc/' });
    expect(await readFile(inRoot('etc/motd'), 'utf8')).toBe('hello\n');
    expect((await lstat(inRoot('etc/motd'))).mode & 0o777).toBe(0o644);
  });
});

describe('COPY --chown and --chmod', () => {
  it('owns files and the parents it creates by the --chown owner', async () => {
    await copy({ sources: ['a.txt'], dest: '/home/app/', chown: 'app' });
    const headers = putHeaders();
    expect(headers.get('home/')).toMatchObject({ uid: 1000, gid: 1001 });
    expect(headers.get('home/app/a.txt')).toMatchObject({ uid: 1000, gid: 1001 });
    expect((await lstat(inRoot('home/app/a.txt'))).uid).toBe(1000);
  });

  it("for a directory, chowns its contents and the destination, not the destination's new parents (moby)", async () => {
    await copy({ sources: ['dir'], dest: '/opt/d', chown: '7:8' });
    const headers = putHeaders();
    expect(headers.get('opt/')).toMatchObject({ uid: 0, gid: 0 });
    expect(headers.get('opt/d/')).toMatchObject({ uid: 7, gid: 8 });
    expect(headers.get('opt/d/sub/y')).toMatchObject({ uid: 7, gid: 8 });
  });

  it('sets --chmod on what it copies', async () => {
    await copy({ sources: ['dir'], dest: '/m', chmod: '700' });
    expect((await lstat(inRoot('m/x'))).mode & 0o777).toBe(0o700);
    expect((await lstat(inRoot('m/sub'))).mode & 0o777).toBe(0o700);
    await expect(prepareCopy(context, request({ sources: ['a.txt'], dest: '/', chmod: 'u+x' }))).rejects.toThrow(InvalidArgumentError);
  });

  it('reports an unknown --chown user', async () => {
    const prepared = await prepareCopy(context, request({ sources: ['a.txt'], dest: '/', chown: 'nobody-here' }));
    await expect(prepared.apply(container)).rejects.toThrow(/unable to convert uid\/gid chown string to host mapping: .*nobody-here/);
  });
});

describe('ADD', () => {
  it('unpacks a local (compressed) tar at the destination, owners as in the archive', async () => {
    await copy({ kind: 'ADD', sources: ['app.tar.gz'], dest: '/unpacked', chown: '1:1' });
    expect(await readFile(inRoot('unpacked/pkg/file'), 'utf8')).toBe('P');
    expect(putHeaders().get('unpacked/pkg/file')).toMatchObject({ uid: 42, gid: 43 });
  });

  it('copies a compressed file that holds no tar, and COPY never unpacks', async () => {
    await copy({ kind: 'ADD', sources: ['fake.gz'], dest: '/f/' });
    expect((await lstat(inRoot('f/fake.gz'))).isFile()).toBe(true);
    await copy({ sources: ['plain.tar'], dest: '/t/' });
    expect((await lstat(inRoot('t/plain.tar'))).isFile()).toBe(true);
  });

  describe('of a URL', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/files/tool.sh') {
          res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
          res.end('#!/bin/sh\necho tool\n');
        } else {
          res.writeHead(404);
          res.end('no such file\n');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('downloads it, named after the URL, mode 0600, mtime from Last-Modified', async () => {
      const prepared = await copy({ kind: 'ADD', sources: [`${base}/files/tool.sh`], dest: '/opt/' });
      expect(await readFile(inRoot('opt/tool.sh'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
      const stats = await lstat(inRoot('opt/tool.sh'));
      expect(stats.mode & 0o777).toBe(0o600);
      expect(stats.mtime.toISOString()).toBe('2015-10-21T07:28:00.000Z');
      expect(prepared.description).toMatch(/^file:[0-9a-f]{64}$/);
    });

    it("reports a failed download with moby's message, and COPY refuses URLs", async () => {
      await expect(prepareCopy(context, request({ kind: 'ADD', sources: [`${base}/nope`], dest: '/' }))).rejects.toThrow(
        `ADD failed: failed to GET ${base}/nope with status 404 Not Found: no such file`,
      );
      await expect(prepareCopy(context, request({ sources: [`${base}/files/tool.sh`], dest: '/' }))).rejects.toThrow("COPY failed: source can't be a URL for COPY");
    });
  });
});

describe('COPY --from', () => {
  let from: DirContainer;
  beforeEach(async () => {
    const root = join(work, 'stage');
    await mkdir(join(root, 'build/out/sub'), { recursive: true });
    await writeFile(join(root, 'build/out/app.bin'), 'BIN');
    await chown(join(root, 'build/out/app.bin'), 7, 7);
    await writeFile(join(root, 'build/out/sub/data'), 'D');
    await symlink('/build/out/app.bin', join(root, 'current'));
    from = new DirContainer(root);
  });

  it("copies a directory's contents from the other container, keeping owners without --chown", async () => {
    await copy({ sources: ['/build/out'], dest: '/app', from });
    expect(await readFile(inRoot('app/app.bin'), 'utf8')).toBe('BIN');
    expect(await readFile(inRoot('app/sub/data'), 'utf8')).toBe('D');
    expect(putHeaders().get('app/app.bin')).toMatchObject({ uid: 7, gid: 7 });
  });

  it('follows a symlink source inside that container, and expands wildcards there', async () => {
    await copy({ sources: ['current'], dest: '/bin/', from, chown: '3:3' });
    expect(await readFile(inRoot('bin/current'), 'utf8')).toBe('BIN');
    expect(putHeaders().get('bin/current')).toMatchObject({ uid: 3, gid: 3 });
    await copy({ sources: ['/build/out/*.bin'], dest: '/g/', from });
    expect(await readFile(inRoot('g/app.bin'), 'utf8')).toBe('BIN');
  });

  it('names a missing source as moby does for an image', async () => {
    await expect(prepareCopy(context, request({ sources: ['/nope'], dest: '/', from }))).rejects.toThrow('COPY failed: stat nope: file does not exist');
  });
});

describe('checksum and description', () => {
  it('is stable, and changes with content, mode, name or options', async () => {
    const key = async (entries: TarSpec[], fields: Partial<CopyRequest> = {}) =>
      (await prepareCopy(await contextOf(entries), request({ sources: ['src'], dest: '/d/', ...fields }))).checksum;
    const base: TarSpec[] = [{ name: 'src/', type: 'directory' }, { name: 'src/f', content: 'one' }];
    const reference = await key(base);
    expect(await key(base)).toBe(reference);
    expect(await key(base, { dest: '/e/' })).not.toBe(reference);
    expect(await key(base, { chown: '1' })).not.toBe(reference);
    expect(await key(base, { chmod: '600' })).not.toBe(reference);
    expect(await key([base[0], { name: 'src/f', content: 'two' }])).not.toBe(reference);
    expect(await key([base[0], { name: 'src/f', content: 'one', mode: 0o600 }])).not.toBe(reference);
    expect(await key([base[0], { name: 'src/g', content: 'one' }])).not.toBe(reference);
    // mtimes and owners in the context never reach the image: they do not count.
    expect(await key([base[0], { name: 'src/f', content: 'one', mtime: new Date(0), uid: 9 }])).toBe(reference);
  });

  it("gives moby's history text", async () => {
    expect((await prepareCopy(context, request({ sources: ['a.txt'], dest: '/x' }))).description).toMatch(/^file:[0-9a-f]{64}$/);
    expect((await prepareCopy(context, request({ sources: ['dir'], dest: '/x', chown: '1:2' }))).description).toMatch(/^dir:[0-9a-f]{64}$/);
    expect((await prepareCopy(context, request({ sources: ['a.txt', 'b.txt'], dest: '/x/' }))).description).toMatch(/^multi:[0-9a-f]{64}$/);
  });
});

describe('hostile sources', () => {
  const cases: { name: string; fields: Partial<CopyRequest> & Pick<CopyRequest, 'sources' | 'dest'>; error: RegExp; archive?: TarSpec[] }[] = [
    { name: 'a ../ source', fields: { sources: ['../secret'], dest: '/' }, error: /COPY failed: forbidden path outside the build context: \.\.\/secret/ },
    { name: 'a ../ hidden in the middle', fields: { sources: ['dir/../../secret'], dest: '/' }, error: /forbidden path outside the build context/ },
    { name: 'an absolute source (the context, not the host)', fields: { sources: ['/etc/passwd'], dest: '/' }, error: /stat etc\/passwd: file does not exist/ },
    { name: 'through a symlink to /etc', fields: { sources: ['etc-link/passwd'], dest: '/' }, error: /stat etc-link\/passwd: file does not exist/ },
    { name: 'a symlink to /etc itself', fields: { sources: ['etc-link'], dest: '/' }, error: /stat etc-link: file does not exist/ },
    { name: 'a symlink climbing out', fields: { sources: ['up/etc/passwd'], dest: '/' }, error: /stat up\/etc\/passwd: file does not exist/ },
    {
      name: 'an ADD archive entry climbing out',
      fields: { kind: 'ADD', sources: ['evil.tar'], dest: '/x' },
      archive: [{ name: '../../escape', content: 'x' }],
      error: /path escapes the destination/,
    },
    {
      name: 'an ADD archive hardlink to outside',
      fields: { kind: 'ADD', sources: ['evil.tar'], dest: '/x' },
      archive: [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }],
      error: /path escapes the destination/,
    },
  ];

  it.each(cases)('refuses $name', async ({ fields, error, archive }) => {
    const hostile = archive ? await contextOf([{ name: 'evil.tar', content: await makeTar(archive) }]) : context;
    await expect(copy(fields, hostile)).rejects.toThrow(error);
    await expect(lstat(inRoot('escape'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(work, 'escape'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(inRoot('file'), 'utf8')).toBe('f');
  });
});

describe('a container that fails to take the files', () => {
  it("reports the container's error (a full disk), not the copy it cut short", async () => {
    const big = await contextOf([{ name: 'big.bin', content: Buffer.alloc(4 * 1024 * 1024, 'x') }]);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const prepared = await prepareCopy(big, request({ sources: ['big.bin'], dest: '/' }));
    const failing = Object.create(container) as DirContainer;
    // Reads a little, then fails as a filesystem out of space does: the producer's pack is destroyed under it
    // and fails at once, while the extractor's error comes later, after its cleanup.
    failing.put = async (_path, tar) => {
      for await (const chunk of tar) if ((chunk as Buffer).length > 0) break;
      await setTimeout(50);
      throw full;
    };
    await expect(prepared.apply(failing)).rejects.toThrow('failed to copy files: ENOSPC: no space left on device, write');
  });
});
