import { request } from 'node:http';
import { chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTar, readTarEntries, type ReadTarEntry } from './docker-archive.js';
import { dockerOk, useTestDaemon } from './harness.js';

// Issue 12, item 2: the path rules of `docker cp` in both directions, as the docker CLI 28 applies them
// against Docker's engine. Every expectation below is what the reference dockerd gives for the same command.

const daemon = useTestDaemon();
const IMAGE = 'cp-rules:fixture';
/** The container's files: /d/{a,sub/b}, /f, symlinks to each and a dangling one, and /var/run -> /run as many images have. */
const FIXTURE =
  'mkdir -p /d/sub /run && echo a > /d/a && echo b > /d/sub/b && echo f > /f && ' +
  'ln -s /d /link && ln -s /f /flink && ln -s /nowhere /dangle && ln -s /run /var/run';
let work: string;
let cases = 0;

beforeAll(async () => {
  work = await mkdtemp('/tmp/berth-cp-rules-');
  await docker(['run', '--name', 'fixture', 'busybox', 'sh', '-c', FIXTURE]);
  await docker(['commit', 'fixture', IMAGE]);
  await docker(['create', '--name', 'source', IMAGE, 'true']);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const docker = (args: string[]): Promise<string> => dockerOk(daemon, args);

/** A fresh host directory with hf, hd/{x,y/z}, an empty he/, hlink -> hd, hd3/a/ (a directory named like /d/a), sub (a file named like /d/sub) and root/var/run/pid. */
async function hostFixture(): Promise<string> {
  const dir = join(work, `case-${cases++}`);
  for (const sub of ['hd/y', 'he', 'hd3/a', 'root/var/run']) await mkdir(join(dir, sub), { recursive: true });
  for (const [path, content] of [['hf', 'hf'], ['hd/x', 'x'], ['hd/y/z', 'z'], ['sub', 'sub'], ['root/var/run/pid', 'pid']]) {
    await writeFile(join(dir, path!), `${content}\n`);
  }
  await symlink('hd', join(dir, 'hlink'));
  return dir;
}

/** `dir/` for a directory, `file=content` for a file, `link->target` for a symlink. */
function describeEntry(path: string, kind: 'dir' | 'file' | 'link', detail = ''): string {
  return kind === 'dir' ? `${path}/` : kind === 'file' ? `${path}=${detail.trim()}` : `${path}->${detail}`;
}

const isUnder = (path: string, roots: string[]): boolean => roots.some((r) => path === r || path.startsWith(`${r}/`));

/** What lies at and below `roots` (relative paths) in the host directory `dir`. */
async function hostTree(dir: string, roots: string[]): Promise<string[]> {
  const found: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const full = join(dir, path);
    const stats = await lstat(full).catch(() => undefined);
    if (!stats) return;
    if (stats.isSymbolicLink()) found.push(describeEntry(path, 'link', await readlink(full)));
    else if (stats.isFile()) found.push(describeEntry(path, 'file', await readFile(full, 'utf8')));
    else {
      found.push(describeEntry(path, 'dir'));
      for (const child of await readdir(full)) await visit(`${path}/${child}`);
    }
  };
  for (const root of roots) await visit(root);
  return found.sort();
}

/** What lies at and below `roots` (paths without the leading `/`) in a container, read from its export. */
async function containerTree(name: string, roots: string[]): Promise<string[]> {
  const entries = await readTarEntries(await daemon.docker.getContainer(name).export());
  return entries
    .map((e: ReadTarEntry) => ({ ...e, path: e.name.replace(/\/$/, '') }))
    .filter((e) => isUnder(e.path, roots))
    .map((e) =>
      e.type === 'directory'
        ? describeEntry(e.path, 'dir')
        : e.type === 'symlink'
          ? describeEntry(e.path, 'link', e.linkname)
          : describeEntry(e.path, 'file', e.body.toString()),
    )
    .sort();
}

interface Rule {
  /** `docker cp` arguments; `C:` stands for the container, other paths are relative to a fresh host fixture. */
  args: string[];
  code: number;
  stderr?: string;
  /** The resulting files below `under` (container paths without `/` for copies in, host paths for copies out). */
  under?: string[];
  tree?: string[];
}

const D_TREE = ['d/', 'd/a=a', 'd/sub/', 'd/sub/b=b'];
const HD_AS = (name: string): string[] => [`${name}/`, `${name}/x=x`, `${name}/y/`, `${name}/y/z=z`];
const D_AS = (name: string): string[] => [`${name}/`, `${name}/a=a`, `${name}/sub/`, `${name}/sub/b=b`];

const INTO: Array<[string, Rule]> = [
  ['a file to a new path', { args: ['hf', 'C:/new'], code: 0, under: ['new'], tree: ['new=hf'] }],
  ['a file into an existing directory', { args: ['hf', 'C:/d'], code: 0, under: ['d'], tree: [...D_TREE, 'd/hf=hf'].sort() }],
  ['a file into an existing directory named with /', { args: ['hf', 'C:/d/'], code: 0, under: ['d'], tree: [...D_TREE, 'd/hf=hf'].sort() }],
  ['a file into an existing directory named with /.', { args: ['hf', 'C:/d/.'], code: 0, under: ['d'], tree: [...D_TREE, 'd/hf=hf'].sort() }],
  ['a file to a missing directory named with /', { args: ['hf', 'C:/nope/'], code: 1, stderr: 'no such directory', under: ['nope'], tree: [] }],
  ['a file below a missing parent', { args: ['hf', 'C:/nope/x'], code: 1, stderr: 'Could not find the file /nope in container', under: ['nope'], tree: [] }],
  ['a file over an existing file', { args: ['hf', 'C:/f'], code: 0, under: ['f'], tree: ['f=hf'] }],
  ['a file to an existing file named with /', { args: ['hf', 'C:/f/'], code: 1, stderr: 'no such directory', under: ['f'], tree: ['f=f'] }],
  ['a file below an existing file', { args: ['hf', 'C:/f/x'], code: 1, stderr: 'extraction point is not a directory', under: ['f'], tree: ['f=f'] }],
  ['a file over a symlink to a file, which stays', { args: ['hf', 'C:/flink'], code: 0, under: ['f', 'flink'], tree: ['f=hf', 'flink->/f'] }],
  ['a file over a dangling symlink, created where it leads', { args: ['hf', 'C:/dangle'], code: 0, under: ['nowhere'], tree: ['nowhere=hf'] }],
  ['a file into a symlink to a directory', { args: ['hf', 'C:/link'], code: 0, under: ['d/hf', 'link'], tree: ['d/hf=hf', 'link->/d'] }],
  ['a file into /var/run/, a symlink to /run', { args: ['hf', 'C:/var/run/'], code: 0, under: ['run', 'var/run'], tree: ['run/', 'run/hf=hf', 'var/run->/run'] }],
  ['a file into /var/run, a symlink to /run', { args: ['hf', 'C:/var/run'], code: 0, under: ['run', 'var/run'], tree: ['run/', 'run/hf=hf', 'var/run->/run'] }],
  ['a directory to a new path', { args: ['hd', 'C:/newdir'], code: 0, under: ['newdir'], tree: HD_AS('newdir') }],
  ['a directory into an existing directory', { args: ['hd', 'C:/d'], code: 0, under: ['d/hd'], tree: HD_AS('d/hd') }],
  ['the contents of a directory into an existing one', { args: ['hd/.', 'C:/d'], code: 0, under: ['d'], tree: [...D_TREE, 'd/x=x', 'd/y/', 'd/y/z=z'].sort() }],
  ['the contents of a directory to a new path', { args: ['hd/.', 'C:/newdir'], code: 0, under: ['newdir'], tree: HD_AS('newdir') }],
  ['a symlink itself', { args: ['hlink', 'C:/x'], code: 0, under: ['x'], tree: ['x->hd'] }],
  ['a symlink followed with -L', { args: ['-L', 'hlink', 'C:/x'], code: 0, under: ['x'], tree: HD_AS('x') }],
  ['a directory over an existing file', { args: ['hd', 'C:/f'], code: 1, stderr: 'cannot copy directory', under: ['f'], tree: ['f=f'] }],
  [
    'a directory to an existing file named with /',
    { args: ['hd', 'C:/f/'], code: 1, stderr: 'Error processing tar file(exit status 1): cannot overwrite non-directory "/f" with directory "/"', under: ['f'], tree: ['f=f'] },
  ],
  [
    'a file onto an existing directory of its name',
    { args: ['sub', 'C:/d'], code: 1, stderr: 'cannot overwrite directory "/d/sub" with non-directory "/d"', under: ['d'], tree: D_TREE },
  ],
  [
    'a directory onto an existing file of its name',
    { args: ['hd3/.', 'C:/d'], code: 1, stderr: 'cannot overwrite non-directory "/d/a" with directory "/d"', under: ['d'], tree: D_TREE },
  ],
  [
    'a tree whose var/run/ meets the /var/run symlink',
    { args: ['root/.', 'C:/'], code: 1, stderr: 'cannot overwrite non-directory "/var/run" with directory "/"', under: ['run', 'var/run'], tree: ['run/', 'var/run->/run'] },
  ],
];

const OUT_OF: Array<[string, Rule]> = [
  ['a file to a new path', { args: ['C:/f', 'out'], code: 0, under: ['out'], tree: ['out=f'] }],
  ['a file into an existing directory', { args: ['C:/f', 'he'], code: 0, under: ['he'], tree: ['he/', 'he/f=f'] }],
  ['a file into an existing directory named with /', { args: ['C:/f', 'he/'], code: 0, under: ['he'], tree: ['he/', 'he/f=f'] }],
  ['a file to a missing directory named with /', { args: ['C:/f', 'nope/'], code: 1, stderr: 'no such directory', under: ['nope'], tree: [] }],
  ['a file below a missing parent', { args: ['C:/f', 'nope/x'], code: 1, stderr: 'does not exist', under: ['nope'], tree: [] }],
  ['a file named with /', { args: ['C:/f/', 'out'], code: 1, stderr: 'Error response from daemon: lstat /f/: not a directory', under: ['out'], tree: [] }],
  ['a file named with /.', { args: ['C:/f/.', 'out'], code: 1, stderr: 'Error response from daemon: lstat /f/.: not a directory', under: ['out'], tree: [] }],
  ['a path below a file', { args: ['C:/f/x', 'out'], code: 1, stderr: 'Error response from daemon: lstat /f/x: not a directory', under: ['out'], tree: [] }],
  ['a missing path', { args: ['C:/nope', 'out'], code: 1, stderr: 'Could not find the file /nope in container', under: ['out'], tree: [] }],
  ['a directory to a new path', { args: ['C:/d', 'out'], code: 0, under: ['out'], tree: D_AS('out') }],
  ['a directory into an existing directory', { args: ['C:/d', 'he'], code: 0, under: ['he'], tree: ['he/', ...D_AS('he/d')] }],
  ['the contents of a directory into an existing one', { args: ['C:/d/.', 'he'], code: 0, under: ['he'], tree: D_AS('he') }],
  ['the contents of a directory to a new path', { args: ['C:/d/.', 'out'], code: 0, under: ['out', 'd'], tree: D_AS('out') }],
  ['a directory over an existing file', { args: ['C:/d', 'hf'], code: 1, stderr: 'cannot copy directory', under: ['hf'], tree: ['hf=hf'] }],
  ['a symlink itself', { args: ['C:/link', 'out'], code: 0, under: ['out'], tree: ['out->/d'] }],
  ['a symlink named with /, followed', { args: ['C:/link/', 'out'], code: 0, under: ['out'], tree: D_AS('out') }],
  ['a symlink followed with -L', { args: ['-L', 'C:/link', 'out'], code: 0, under: ['out'], tree: D_AS('out') }],
  ['the contents of a symlinked directory', { args: ['C:/link/.', 'he'], code: 0, under: ['he'], tree: D_AS('he') }],
  ['a symlink to a file named with /', { args: ['C:/flink/', 'out'], code: 1, stderr: 'lstat /f/: not a directory', under: ['out'], tree: [] }],
  ['/var/run itself', { args: ['C:/var/run', 'out'], code: 0, under: ['out'], tree: ['out->/run'] }],
];

async function check(rule: Rule, container: string, tree: (dir: string, roots: string[]) => Promise<string[]>): Promise<void> {
  const dir = await hostFixture();
  // Not path.join: it would drop the trailing `/.` and `/` the rules are about.
  const args = rule.args.map((a) => (a.startsWith('C:') ? `${container}:${a.slice(2)}` : a.startsWith('-') ? a : `${dir}/${a}`));
  const result = await daemon.dockerCli(['cp', ...args]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: rule.code, stderr: rule.stderr === undefined ? '' : expect.stringContaining(rule.stderr) });
  if (rule.under) expect(await tree(dir, rule.under)).toEqual(rule.tree);
}

describe("docker cp into a container follows Docker's path rules", () => {
  it.each(INTO)('%s', async (_label, rule) => {
    const container = `into-${cases}`;
    await docker(['create', '--name', container, IMAGE, 'true']);
    await check(rule, container, (_dir, roots) => containerTree(container, roots));
  });
});

describe("docker cp out of a container follows Docker's path rules", () => {
  it.each(OUT_OF)('%s', async (_label, rule) => {
    await check(rule, 'source', hostTree);
  });
});

/** HEAD /containers/{id}/archive: status and the decoded X-Docker-Container-Path-Stat. */
function statPath(container: string, path: string): Promise<{ status: number; stat?: { name: string; mode: number; linkTarget: string } }> {
  return new Promise((resolve, reject) => {
    const query = new URLSearchParams({ path });
    const req = request({ socketPath: daemon.socket, method: 'HEAD', path: `/v1.47/containers/${container}/archive?${query}` }, (res) => {
      res.resume();
      const header = res.headers['x-docker-container-path-stat'];
      const stat = typeof header === 'string' ? (JSON.parse(Buffer.from(header, 'base64').toString()) as { name: string; mode: number; linkTarget: string }) : undefined;
      resolve({ status: res.statusCode ?? 0, ...(stat ? { stat } : {}) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the archive routes name paths as Docker does', () => {
  it.each([
    ['/d', 'd', ['d/', 'd/a', 'd/sub/', 'd/sub/b']],
    ['/d/', 'd', ['d/', 'd/a', 'd/sub/', 'd/sub/b']],
    ['/d/.', '.', ['./', './a', './sub/', './sub/b']],
    ['/link/.', '.', ['./', './a', './sub/', './sub/b']],
    ['/d/sub/../', 'd', ['d/', 'd/a', 'd/sub/', 'd/sub/b']],
  ])('GET and HEAD %s: name %j and entries %j', async (path, name, entries) => {
    expect((await statPath('source', path)).stat?.name).toBe(name);
    const tar = await readTarEntries(await daemon.docker.getContainer('source').getArchive({ path }));
    expect(tar.map((e) => e.name)).toEqual(entries);
  });

  it('names the root "/" and its entries "/bin", not "//bin"', async () => {
    expect((await statPath('source', '/')).stat?.name).toBe('/');
    const names = (await readTarEntries(await daemon.docker.getContainer('source').getArchive({ path: '/' }))).map((e) => e.name);
    expect(names[0]).toBe('/');
    expect(names).toEqual(expect.arrayContaining(['/bin/', '/d/', '/d/a']));
    expect(names.filter((n) => !n.startsWith('/') || n.startsWith('//'))).toEqual([]);
  });

  it('keeps a last symlink, follows one named with / and answers a file named with / with a 500', async () => {
    expect((await statPath('source', '/link')).stat).toMatchObject({ name: 'link', linkTarget: '/d' });
    expect((await statPath('source', '/link/')).stat).toMatchObject({ name: 'link', linkTarget: '' });
    expect(await statPath('source', '/f/')).toEqual({ status: 500 });
    expect(await statPath('source', '/nope')).toEqual({ status: 404 });
  });
});

describe('PUT archive options', () => {
  const fileNamedD = (): Promise<Buffer> => packTar([{ name: 'd', body: 'now a file\n' }]);

  it('replaces a directory with a file unless noOverwriteDirNonDir is set', async () => {
    await docker(['create', '--name', 'put-replace', IMAGE, 'true']);
    const container = daemon.docker.getContainer('put-replace');
    await expect(container.putArchive(await fileNamedD(), { path: '/', noOverwriteDirNonDir: true })).rejects.toMatchObject({
      statusCode: 500,
      json: { message: 'Error processing tar file(exit status 1): cannot overwrite directory "/d" with non-directory "/"' },
    });
    expect(await containerTree('put-replace', ['d'])).toEqual(D_TREE);
    await container.putArchive(await fileNamedD(), { path: '/' });
    expect(await containerTree('put-replace', ['d'])).toEqual(['d=now a file']);
  });

  it('gives what docker cp -a copies in to the container user, looked up in the container', async () => {
    const dir = await hostFixture();
    for (const path of ['hd', 'hd/x', 'hd/y', 'hd/y/z']) await chown(join(dir, path), 1234, 1235);
    await docker(['create', '--name', 'as-user', '--user', 'www-data', IMAGE, 'true']);
    await docker(['cp', join(dir, 'hd'), 'as-user:/kept']);
    await docker(['cp', '-a', join(dir, 'hd'), 'as-user:/owned']);
    const owners = async (path: string): Promise<string[]> =>
      (await readTarEntries(await daemon.docker.getContainer('as-user').getArchive({ path }))).map((e) => `${e.name} ${e.uid}:${e.gid}`).sort();
    expect(await owners('/kept')).toEqual(['kept/ 1234:1235', 'kept/x 1234:1235', 'kept/y/ 1234:1235', 'kept/y/z 1234:1235']);
    // www-data is 33:33 in busybox's /etc/passwd.
    expect(await owners('/owned')).toEqual(['owned/ 33:33', 'owned/x 33:33', 'owned/y/ 33:33', 'owned/y/z 33:33']);
  });
});
