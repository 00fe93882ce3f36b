import { appendFile, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchive, keepBuildFiles, prepareBuildContext } from './build-context.js';
import { contextEntries, tarEntries } from './context-tar.js';

let dir: string;
let cwd: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-build-context-'));
  cwd = process.cwd();
});
afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

interface TarFile {
  type: string;
  content: string;
  linkname?: string | null;
  uid: number;
}

/** The entries of a tar stream by name. */
async function entriesOf(tar: AsyncIterable<Buffer>): Promise<Map<string, TarFile>> {
  const files = new Map<string, TarFile>();
  const reader = extract();
  Readable.from(tar).pipe(reader as unknown as NodeJS.WritableStream);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(entry.header.name, { type: entry.header.type, content: Buffer.concat(chunks).toString(), linkname: entry.header.linkname, uid: entry.header.uid });
  }
  return files;
}

async function files(tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const noStdin = Readable.from([]);

async function bytesOf(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('prepareBuildContext for a directory', () => {
  it('tars the directory in lexical order, owned by root, symlinks as symlinks', async () => {
    await files({ Dockerfile: 'FROM busybox\n', 'b/x': 'x', a: 'a' });
    await symlink('/etc/passwd', join(dir, 'link'));
    const { tar, dockerfile } = await prepareBuildContext(dir, undefined, noStdin);
    const entries = await entriesOf(tar);
    expect([...entries.keys()]).toEqual(['Dockerfile', 'a', 'b/', 'b/x', 'link']);
    expect(entries.get('link')).toMatchObject({ type: 'symlink', linkname: '/etc/passwd' });
    expect(entries.get('a')).toMatchObject({ content: 'a', uid: 0 });
    expect(dockerfile).toBe('Dockerfile');
  });

  it('applies .dockerignore as docker does, but still sends the Dockerfile and .dockerignore', async () => {
    await files({ Dockerfile: 'FROM busybox\n', '.dockerignore': 'secret\nlogs\n!logs/keep\nDockerfile\n.dockerignore\n*.tmp\n', secret: 's', 'logs/a': 'a', 'logs/keep': 'k', 'x.tmp': 't', 'sub/y.tmp': 'y' });
    const entries = await entriesOf((await prepareBuildContext(dir, undefined, noStdin)).tar);
    expect([...entries.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'logs/keep', 'sub/', 'sub/y.tmp']);
  });

  it("reads .dockerignore with the daemon's matcher: a BOM, `**` before text, escaped characters, `#` after blanks, exceptions only under their own path", async () => {
    await files({
      Dockerfile: 'FROM busybox\n',
      '.dockerignore': '\ufeffsecret\n**tmp\nf+x\n  #hash\ndir\n!**/keep\n',
      secret: 's', xtmp: 't', 'f+x': 'f', '#hash': 'h', 'dir/keep': 'k', other: 'o',
    });
    const entries = await entriesOf((await prepareBuildContext(dir, undefined, noStdin)).tar);
    expect([...entries.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'other']);
  });

  it("refuses a lone ! in .dockerignore with docker's message", async () => {
    await files({ Dockerfile: 'FROM busybox\n', '.dockerignore': 'a\n!\n' });
    await expect(prepareBuildContext(dir, undefined, noStdin)).rejects.toThrow('error checking context: illegal exclusion pattern: "!"');
  });

  it('finds a lower-case dockerfile, and a -f path relative to the working directory', async () => {
    await files({ dockerfile: 'FROM busybox\n', 'sub/Other': 'FROM busybox\n' });
    expect((await prepareBuildContext(dir, undefined, noStdin)).dockerfile).toBe('dockerfile');
    process.chdir(dir);
    expect((await prepareBuildContext('.', 'sub/Other', noStdin)).dockerfile).toBe('sub/Other');
  });

  it('adds a Dockerfile from outside the context under a random name, ignored by the daemon', async () => {
    await files({ 'ctx/a': 'a', 'ctx/.dockerignore': 'b', 'elsewhere/Dockerfile': 'FROM busybox\nCOPY a /\n' });
    const { tar, dockerfile } = await prepareBuildContext(join(dir, 'ctx'), join(dir, 'elsewhere/Dockerfile'), noStdin);
    expect(dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    const entries = await entriesOf(tar);
    expect(entries.get(dockerfile!)?.content).toBe('FROM busybox\nCOPY a /\n');
    expect(entries.get('.dockerignore')?.content).toBe(`b\n${dockerfile}\n`);
    expect(entries.has('a')).toBe(true);
  });

  it('takes the Dockerfile from stdin with -f -', async () => {
    await files({ a: 'a' });
    const { tar, dockerfile } = await prepareBuildContext(dir, '-', Readable.from([Buffer.from('FROM busybox\n')]));
    const entries = await entriesOf(tar);
    expect(entries.get(dockerfile!)?.content).toBe('FROM busybox\n');
    expect(entries.get('.dockerignore')?.content).toBe(`.dockerignore\n${dockerfile}\n`);
  });

  it('says what is wrong with a missing context or Dockerfile, and refuses remote contexts', async () => {
    await expect(prepareBuildContext(join(dir, 'nope'), undefined, noStdin)).rejects.toThrow(`unable to prepare context: path "${join(dir, 'nope')}" not found`);
    await expect(prepareBuildContext(dir, undefined, noStdin)).rejects.toThrow(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, 'Dockerfile')}: no such file or directory`);
    await expect(prepareBuildContext(dir, join(dir, 'no/such/Dockerfile'), noStdin)).rejects.toThrow(`lstat ${join(dir, 'no')}: no such file or directory`);
    await expect(prepareBuildContext('https://example.com/repo.git', undefined, noStdin)).rejects.toThrow('remote build contexts (git repositories, URLs) are not supported by berth');
    await expect(prepareBuildContext('-', '-', noStdin)).rejects.toThrow("can't use stdin for both build context and dockerfile");
  });
});

describe('prepareBuildContext for stdin', () => {
  it('sends a tar as it is, keeping -f', async () => {
    const archive = await bytesOf(tarEntries([{ name: 'Custom', content: Buffer.from('FROM busybox\n'), mode: 0o644, mtime: new Date(0) }]));
    const { tar, dockerfile } = await prepareBuildContext('-', 'Custom', Readable.from([archive]));
    expect(await bytesOf(tar)).toEqual(archive);
    expect(dockerfile).toBe('Custom');
  });

  it('wraps a Dockerfile alone into a context holding only it', async () => {
    const { tar, dockerfile } = await prepareBuildContext('-', undefined, Readable.from([Buffer.from('FROM busybox\nRUN true\n')]));
    const entries = await entriesOf(tar);
    expect([...entries.keys()]).toEqual(['Dockerfile']);
    expect(entries.get('Dockerfile')?.content).toBe('FROM busybox\nRUN true\n');
    expect(dockerfile).toBe('Dockerfile');
  });

  it('refuses a Dockerfile on stdin together with -f', async () => {
    await expect(prepareBuildContext('-', 'Dockerfile', Readable.from([Buffer.from('FROM busybox\n')]))).rejects.toThrow('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  });
});

describe('isArchive', () => {
  it('knows compressed streams and tar headers from text', async () => {
    expect(isArchive(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe(true);
    expect(isArchive(await bytesOf(tarEntries([{ name: 'a', content: Buffer.from('a'), mode: 0o644, mtime: new Date(0) }])))).toBe(true);
    expect(isArchive(Buffer.from('FROM busybox\n'.repeat(100)))).toBe(false);
    expect(isArchive(Buffer.alloc(1024))).toBe(false);
  });
});

describe('tarEntries', () => {
  it('sends a file as long as its header says, even if it grew or shrank after it was measured', async () => {
    await files({ grew: '0123456789', shrank: '0123456789', next: 'n' });
    const entries = await contextEntries(dir, []);
    await appendFile(join(dir, 'grew'), '\0'.repeat(1024) + 'forged');
    await truncate(join(dir, 'shrank'), 4);
    const sent = await entriesOf(tarEntries(entries));
    expect([...sent.keys()]).toEqual(['grew', 'next', 'shrank']);
    expect(sent.get('grew')?.content).toBe('0123456789');
    expect(sent.get('next')?.content).toBe('n');
    expect(sent.get('shrank')?.content).toBe('0123\0\0\0\0\0\0');
  });
});

describe('keepBuildFiles', () => {
  it('re-includes an ignored Dockerfile and .dockerignore, unless the Dockerfile comes from stdin', () => {
    expect(keepBuildFiles(['*'], 'Dockerfile', false)).toEqual(['*', '!.dockerignore', '!Dockerfile']);
    expect(keepBuildFiles(['*'], '-', true)).toEqual(['*', '!.dockerignore']);
    expect(keepBuildFiles(['other'], 'Dockerfile', false)).toEqual(['other']);
  });
});
