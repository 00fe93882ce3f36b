import { execFile } from 'node:child_process';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_UNPATCHED_RUNC, busyboxArchive, dockerOk, run, startTestDaemon, type TestDaemon } from './harness.js';
import { createTestNetns, type TestNetns } from './netns.js';
import { BERTHD } from './paths.js';

const execFileAsync = promisify(execFile);

/**
 * A user of this test's own with a subordinate range no other user on these machines has; a fixed name,
 * so what a run that died left behind is removed by the next run before it adds the user again.
 */
const TEST_USER = 'berthnstest';
const RANGE_START = 700000;
const RANGE_SIZE = 65536;
const RANGE = `${RANGE_START}-${RANGE_START + RANGE_SIZE - 1}`;

async function userExists(name: string): Promise<boolean> {
  return execFileAsync('getent', ['passwd', name]).then(
    () => true,
    () => false,
  );
}

/** Lines of /etc/subuid and /etc/subgid that name `user`. */
async function subordinateLines(user: string): Promise<string[]> {
  const files = await Promise.all(['/etc/subuid', '/etc/subgid'].map((f) => readFile(f, 'utf8').catch(() => '')));
  return files.flatMap((text) => text.split('\n')).filter((line) => line.startsWith(`${user}:`));
}

/** Removes a user and its subordinate ranges (userdel leaves them on some shadow versions). */
async function removeUser(user: string): Promise<void> {
  for (const line of await subordinateLines(user)) {
    const [, start, count] = line.split(':');
    const range = `${start}-${Number(start) + Number(count) - 1}`;
    await execFileAsync('usermod', ['--del-subuids', range, '--del-subgids', range, user]).catch(() => undefined);
  }
  await execFileAsync('userdel', [user]).catch(() => undefined);
  await execFileAsync('groupdel', [user]).catch(() => undefined);
}

/**
 * The user-namespace holders of the daemon with data root `dataRoot` still running: berthd names its data
 * root in each holder's environment, so another daemon's (another test's) are not counted.
 */
async function namespaceHolders(dataRoot: string): Promise<number[]> {
  const marker = `\0BERTH_USERNS_HOLDER=${dataRoot}\0`;
  const holders: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (`\0${environ}`.includes(marker)) holders.push(Number(pid));
  }
  return holders;
}

async function startRemapped(setting: string): Promise<TestDaemon> {
  const daemon = await startTestDaemon([`--userns-remap=${setting}`], { searchableRoot: true });
  const loaded = await daemon.berth(['load', '-i', await busyboxArchive()]);
  expect(loaded.code, loaded.stderr).toBe(0);
  return daemon;
}

/** `dataRoot`: the daemon's `--data-root`, when the test gave it one of its own. */
async function cleanupDaemon(daemon: TestDaemon | undefined, dataRoot = daemon?.dataRoot): Promise<void> {
  if (!daemon) return;
  const leftovers = await daemon.cleanup();
  expect(leftovers).toEqual({ mounts: [], conmons: [], runtimeState: [] });
  expect(await namespaceHolders(dataRoot!)).toEqual([]);
}

/** Names and numeric owners of a tar a docker command writes to stdout. */
async function tarListing(d: TestDaemon, args: string[]): Promise<Array<{ name: string; owner: string }>> {
  const tarFile = join(d.root, 'listing.tar');
  const written = await run('sh', ['-c', 'docker "$@" > "$0"', tarFile, ...args], { env: { ...process.env, ...d.env } });
  expect(written.code, written.stderr).toBe(0);
  const { stdout } = await execFileAsync('tar', ['--numeric-owner', '-tvf', tarFile], { maxBuffer: 16 * 1024 * 1024 });
  await rm(tarFile, { force: true });
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(/\s+/);
      return { name: fields.slice(5).join(' '), owner: fields[1]! };
    });
}

async function upperDir(d: TestDaemon, name: string): Promise<string> {
  return (await dockerOk(d, ['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', name])).trim();
}

describe(`berthd --userns-remap ${TEST_USER}`, () => {
  let d: TestDaemon | undefined;
  const daemon = (): TestDaemon => d!;

  beforeAll(async () => {
    await removeUser(TEST_USER);
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', TEST_USER]);
    await execFileAsync('usermod', ['--add-subuids', RANGE, '--add-subgids', RANGE, TEST_USER]);
    d = await startRemapped(TEST_USER);
  });

  afterAll(async () => {
    try {
      await cleanupDaemon(d);
    } finally {
      await removeUser(TEST_USER);
    }
    expect(await userExists(TEST_USER)).toBe(false);
    expect(await subordinateLines(TEST_USER)).toEqual([]);
  });

  it('keeps its state in <data-root>/<uid>.<gid> and lists userns among the security options', async () => {
    const info = await daemon().docker.info();
    expect(info.DockerRootDir).toBe(join(daemon().dataRoot, `${RANGE_START}.${RANGE_START}`));
    expect(info.SecurityOptions).toContain('name=userns');
    const root = await stat(info.DockerRootDir);
    expect(root.mode & 0o777).toBe(0o710);
    expect(root.gid).toBe(RANGE_START);
  });

  it("runs a container as root inside, whose files are the mapped uid's on the host", async () => {
    const out = await dockerOk(daemon(), ['run', '--name', 'mapped', 'busybox', 'sh', '-c', 'touch /x; id -u; stat -c %u:%g /bin /; cat /proc/self/uid_map']);
    const [uid, bin, root, uidMap] = out.trim().split('\n');
    expect(uid).toBe('0');
    expect(bin).toBe('0:0');
    expect(root).toBe('0:0');
    expect(uidMap!.trim().split(/\s+/)).toEqual(['0', String(RANGE_START), String(RANGE_SIZE)]);
    const created = await stat(join(await upperDir(daemon(), 'mapped'), 'x'));
    expect([created.uid, created.gid]).toEqual([RANGE_START, RANGE_START]);
  });

  it('commits, exports, diffs and copies out the container as it sees its files (root is uid 0)', async () => {
    await dockerOk(daemon(), ['commit', 'mapped', 'mapped-commit']);
    expect(await dockerOk(daemon(), ['run', '--rm', '--userns', 'host', 'mapped-commit', 'stat', '-c', '%u:%g', '/x'])).toBe('0:0\n');
    expect(await dockerOk(daemon(), ['diff', 'mapped'])).toContain('A /x\n');
    const exported = await tarListing(daemon(), ['export', 'mapped']);
    expect(exported).toContainEqual({ name: 'x', owner: '0/0' });
    expect(exported).toContainEqual({ name: 'bin/', owner: '0/0' });
    expect(await tarListing(daemon(), ['cp', 'mapped:/x', '-'])).toEqual([{ name: 'x', owner: '0/0' }]);
    await dockerOk(daemon(), ['rmi', 'mapped-commit']);
  });

  it('copies files in with the ids the container sees, shifted by the mapping on the host', async () => {
    const file = join(daemon().root, 'copied');
    await writeFile(file, 'copied\n');
    await chown(file, 1234, 1234);
    await dockerOk(daemon(), ['cp', '-a', file, 'mapped:/copied']);
    expect((await stat(join(await upperDir(daemon(), 'mapped'), 'copied'))).uid).toBe(RANGE_START + 1234);
    expect(await tarListing(daemon(), ['cp', 'mapped:/copied', '-'])).toEqual([{ name: 'copied', owner: '1234/1234' }]);
  });

  it('removes a container while copies from it mount its root, and the image keeps every file', async () => {
    const imageFiles = ['run', '--rm', 'busybox', 'sh', '-c', 'find /bin /etc /usr | wc -l'];
    const before = await dockerOk(daemon(), imageFiles);
    const id = (await dockerOk(daemon(), ['create', 'busybox', 'true'])).trim();
    const container = daemon().docker.getContainer(id);
    // Each stat mounts the stopped container's root (its layers bound idmapped in the container's dir) and unmounts it.
    const copies = Array.from({ length: 16 }, () =>
      container.infoArchive({ path: '/bin/sh' }).then(
        () => 200,
        (err: { statusCode?: number }) => err.statusCode,
      ),
    );
    await container.remove({ force: true });
    const statuses = await Promise.all(copies);
    expect(statuses.filter((status) => status !== 200 && status !== 404 && status !== 409)).toEqual([]);
    expect(await dockerOk(daemon(), imageFiles)).toBe(before);
    expect(await dockerOk(daemon(), ['run', '--rm', 'busybox', 'cat', '/etc/group'])).toContain('root:x:0:');
  });

  it("makes the parent directories a copied tar implies owned by the container's root, which can write in them", async () => {
    const source = join(daemon().root, 'implied');
    await mkdir(join(source, 'new', 'dir'), { recursive: true });
    await writeFile(join(source, 'new', 'dir', 'f'), 'f\n');
    await dockerOk(daemon(), ['create', '--name', 'implied', 'busybox', 'sh', '-c', 'stat -c %u:%g /new /new/dir && touch /new/dir/g && echo written']);
    try {
      // Only the file's entry: /new and /new/dir are made by the extraction.
      const copied = await run('sh', ['-c', 'tar -C "$0" -cf - new/dir/f | docker cp - implied:/', source], { env: { ...process.env, ...daemon().env } });
      expect(copied.code, copied.stderr).toBe(0);
      expect(await dockerOk(daemon(), ['start', '-a', 'implied'])).toBe('0:0\n0:0\nwritten\n');
    } finally {
      await dockerOk(daemon(), ['rm', '-f', 'implied']);
      await rm(source, { recursive: true, force: true });
    }
  });

  it('lets the container root edit its /etc/hosts', async () => {
    const out = await dockerOk(daemon(), ['run', '--rm', 'busybox', 'sh', '-c', 'echo 10.0.0.1 extra >> /etc/hosts && tail -n 1 /etc/hosts']);
    expect(out).toBe('10.0.0.1 extra\n');
  });

  it("writes a volume as the container's root", async () => {
    const out = await dockerOk(daemon(), ['run', '--rm', '-v', 'mapped-vol:/data', 'busybox', 'sh', '-c', 'echo hi > /data/f && stat -c %u /data/f']);
    expect(out).toBe('0\n');
    const mountpoint = (await dockerOk(daemon(), ['volume', 'inspect', '-f', '{{.Mountpoint}}', 'mapped-vol'])).trim();
    expect((await stat(join(mountpoint, 'f'))).uid).toBe(RANGE_START);
    await dockerOk(daemon(), ['volume', 'rm', 'mapped-vol']);
  });

  it('runs execs in the container user namespace', async () => {
    await dockerOk(daemon(), ['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '600']);
    expect(await dockerOk(daemon(), ['exec', 'sleeper', 'sh', '-c', 'touch /e && id -u && stat -c %u /e'])).toBe('0\n0\n');
    expect((await stat(join(await upperDir(daemon(), 'sleeper'), 'e'))).uid).toBe(RANGE_START);
    await dockerOk(daemon(), ['rm', '-f', 'sleeper']);
  });

  it('keeps a running remapped container across a daemon restart (live restore)', async () => {
    await dockerOk(daemon(), ['run', '-d', '--name', 'survivor', 'busybox', 'sleep', '600']);
    await daemon().restart();
    expect(await dockerOk(daemon(), ['exec', 'survivor', 'sh', '-c', 'touch /after && id -u'])).toBe('0\n');
    expect((await stat(join(await upperDir(daemon(), 'survivor'), 'after'))).uid).toBe(RANGE_START);
    await dockerOk(daemon(), ['rm', '-f', 'survivor']);
    expect(await namespaceHolders(daemon().dataRoot)).toEqual([]);
  });

  it('seeds a new volume from the image with the ids the container sees', async () => {
    const out = await dockerOk(daemon(), ['run', '--rm', '-v', 'seeded:/etc', 'busybox', 'stat', '-c', '%u:%g', '/etc/passwd']);
    expect(out).toBe('0:0\n');
    const mountpoint = (await dockerOk(daemon(), ['volume', 'inspect', '-f', '{{.Mountpoint}}', 'seeded'])).trim();
    expect(await stat(join(mountpoint, 'passwd'))).toMatchObject({ uid: RANGE_START, gid: RANGE_START });
    await dockerOk(daemon(), ['volume', 'rm', 'seeded']);
  });

  it('gives a --userns host container the host user namespace and host ownership', async () => {
    const out = await dockerOk(daemon(), ['run', '--name', 'unmapped', '--userns', 'host', 'busybox', 'sh', '-c', 'touch /y; cat /proc/self/uid_map']);
    expect(out.trim().split(/\s+/)).toEqual(['0', '0', '4294967295']);
    const created = await stat(join(await upperDir(daemon(), 'unmapped'), 'y'));
    expect([created.uid, created.gid]).toEqual([0, 0]);
  });

  it('refuses what dockerd refuses under a user namespace, and allows it with --userns host', async () => {
    const refusals: Array<[string[], string]> = [
      [['--privileged'], 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode'],
      [['--network', 'host'], "cannot share the host's network namespace when user namespaces are enabled"],
      [['--pid', 'host'], 'cannot share the host PID namespace when user namespaces are enabled'],
    ];
    for (const [flags, message] of refusals) {
      const refused = await daemon().dockerCli(['create', ...flags, 'busybox', 'true']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(message);
    }
    expect(await dockerOk(daemon(), ['run', '--rm', '--privileged', '--userns', 'host', 'busybox', 'id', '-u'])).toBe('0\n');
  });
});

describe(`berthd --userns-remap ${TEST_USER} where idmapped mounts are missing (data root on ramfs)`, () => {
  // ramfs has no idmapped mounts: the daemon falls back to chowned copies of the layers.
  let d: TestDaemon | undefined;
  let ramfs = '';
  const dataRoot = (): string => join(ramfs, 'data');

  beforeAll(async () => {
    await removeUser(TEST_USER);
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', TEST_USER]);
    await execFileAsync('usermod', ['--add-subuids', RANGE, '--add-subgids', RANGE, TEST_USER]);
    ramfs = await mkdtemp('/tmp/berth-e2e-ramfs-');
    await execFileAsync('mount', ['-t', 'ramfs', '-o', 'mode=711', 'ramfs', ramfs]);
    d = await startTestDaemon([`--userns-remap=${TEST_USER}`, '--data-root', dataRoot()], { searchableRoot: true, logToFile: true });
    const loaded = await d.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  afterAll(async () => {
    try {
      await cleanupDaemon(d, dataRoot());
      const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((line) => line.split(' ')[4] ?? '');
      expect(mounts.filter((m) => m.startsWith(`${ramfs}/`))).toEqual([]);
    } finally {
      await execFileAsync('umount', [ramfs]).catch(() => undefined);
      await rm(ramfs, { recursive: true, force: true });
      await removeUser(TEST_USER);
    }
    expect(await subordinateLines(TEST_USER)).toEqual([]);
  });

  it('runs containers over chowned copies of the layers, kept per layer, with the same ownership as over idmapped mounts', async () => {
    expect(await readFile(d!.logPath, 'utf8')).toContain('layers copied and chowned (no idmapped mounts on this kernel');
    const out = await dockerOk(d!, ['run', '--name', 'copied-layers', 'busybox', 'sh', '-c', 'touch /x; id -u; stat -c %u:%g /bin /']);
    expect(out).toBe('0\n0:0\n0:0\n');
    expect((await stat(join(await upperDir(d!, 'copied-layers'), 'x'))).uid).toBe(RANGE_START);
    const copies = join(dataRoot(), `${RANGE_START}.${RANGE_START}`, 'layers', 'shifted', `${RANGE_START}.${RANGE_START}`);
    const [copy] = await readdir(copies);
    expect(await stat(join(copies, copy!, 'bin'))).toMatchObject({ uid: RANGE_START, gid: RANGE_START });
    await dockerOk(d!, ['commit', 'copied-layers', 'copied-commit']);
    expect(await dockerOk(d!, ['run', '--rm', '--userns', 'host', 'copied-commit', 'stat', '-c', '%u:%g', '/x', '/bin'])).toBe('0:0\n0:0\n');
    expect(await readdir(copies)).toEqual([copy]);
  });
});

describe(`berthd --userns-remap ${TEST_USER} with bridge networks (in a network namespace of the test's own)`, () => {
  let d: TestDaemon | undefined;
  let netns: TestNetns | undefined;

  beforeAll(async () => {
    await removeUser(TEST_USER);
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', TEST_USER]);
    await execFileAsync('usermod', ['--add-subuids', RANGE, '--add-subgids', RANGE, TEST_USER]);
    netns = await createTestNetns();
    d = await startTestDaemon([`--userns-remap=${TEST_USER}`], { netns, searchableRoot: true });
    const loaded = await d.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  afterAll(async () => {
    try {
      await cleanupDaemon(d);
    } finally {
      await netns?.remove();
      await removeUser(TEST_USER);
    }
  });

  it('gives remapped containers their addresses on the default bridge and a user network, reaching each other by name', async () => {
    const out = await dockerOk(d!, ['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0 | wc -l; id -u; test -d /sys/class && echo sys']);
    expect(out).toBe('1\n0\nsys\n');
    await dockerOk(d!, ['network', 'create', 'remapped-net']);
    await dockerOk(d!, ['run', '-d', '--name', 'listener', '--network', 'remapped-net', 'busybox', 'sh', '-c', 'echo pong | nc -l -p 8080']);
    const reply = await dockerOk(d!, ['run', '--rm', '--network', 'remapped-net', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 listener 8080 </dev/null && exit 0; sleep 0.5; done; exit 1']);
    expect(reply).toBe('pong\n');
    await dockerOk(d!, ['rm', '-f', 'listener']);
    await dockerOk(d!, ['network', 'rm', 'remapped-net']);
  });

  it("binds the host's /sys read-only there, the mounts under it too", async () => {
    // Mount point, per-mount options and filesystem type (the field after the ` - ` separator).
    const listing = 'awk \'$5 ~ "^/sys(/|$)" { for (i = 7; $i != "-"; i++); print $5, $6, $(i + 1) }\' /proc/self/mountinfo';
    const mounts = (await dockerOk(d!, ['run', '--rm', 'busybox', 'sh', '-c', listing])).trim().split('\n');
    expect(mounts.length).toBeGreaterThan(1);
    // On cgroup v1 runc's own /sys/fs/cgroup is a writable tmpfs holding the read-only hierarchies, as under dockerd.
    const runcCgroupTmpfs = (line: string): boolean => line.startsWith('/sys/fs/cgroup ') && line.endsWith(' tmpfs');
    expect(mounts.filter((line) => !runcCgroupTmpfs(line) && !/ (\S*,)?ro(,\S*)? /.test(line))).toEqual([]);
  });

  it('refuses a network sysctl there with a clear message', async () => {
    const refused = await d!.dockerCli(['run', '--rm', '--sysctl', 'net.core.somaxconn=1024', 'busybox', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('cannot be set in a container with a user namespace on a network the engine sets up');
  });
});

describe('berthd --userns-remap refusals at start', () => {
  /** berthd run to its exit with `--userns-remap setting` on a temp root, which it must refuse. */
  async function refusedStart(setting: string, root: string): Promise<string> {
    const args = [BERTHD, '--userns-remap', setting, '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '-H', `unix://${join(root, 's.sock')}`, '--bridge=none', ...ACCEPT_UNPATCHED_RUNC];
    const result = await run(process.execPath, args);
    expect(result.code).not.toBe(0);
    return result.stderr;
  }

  it('refuses a user without subordinate ranges, one that does not exist, and a directory above the data root the remapped root cannot search', async () => {
    const root = await mkdtemp('/tmp/berth-e2e-');
    const user = `${TEST_USER}x`;
    try {
      await removeUser(user);
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', user]);
      expect(await refusedStart(user, root)).toContain(`Can't create ID mappings: no subuid ranges found for user "${user}" in /etc/subuid`);
      expect(await refusedStart('no-such-user-here', root)).toContain(`Can't create ID mappings: user "no-such-user-here" does not exist`);
      await execFileAsync('usermod', ['--add-subuids', RANGE, '--add-subgids', RANGE, user]);
      // As dockerd: a data root others cannot search is made 0711; a directory above it (mkdtemp's, 0700) is refused.
      await mkdir(join(root, 'data'), { mode: 0o700 });
      expect(await refusedStart(user, root)).toContain(
        `a subdirectory in your graphroot path (${join(root, 'data', `${RANGE_START}.${RANGE_START}`)}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`,
      );
      expect((await stat(join(root, 'data'))).mode & 0o777).toBe(0o711);
    } finally {
      await removeUser(user);
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('berthd --userns-remap root', () => {
  it('warns and leaves remapping off, as dockerd', async () => {
    const d = await startTestDaemon(['--userns-remap=root'], { logToFile: true });
    try {
      const info = await d.docker.info();
      expect(info.SecurityOptions).not.toContain('name=userns');
      expect(info.DockerRootDir).toBe(d.dataRoot);
      expect(await readFile(d.logPath, 'utf8')).toContain('User namespaces: root cannot be remapped with itself; user namespaces are OFF');
    } finally {
      expect(await d.cleanup()).toEqual({ mounts: [], conmons: [], runtimeState: [] });
    }
  });
});

describe('berthd --userns-remap default', () => {
  let d: TestDaemon | undefined;
  let createdDockremap = false;

  beforeAll(async () => {
    createdDockremap = !(await userExists('dockremap'));
    d = await startRemapped('default');
  });

  afterAll(async () => {
    try {
      await cleanupDaemon(d);
    } finally {
      if (createdDockremap) await removeUser('dockremap');
    }
    if (createdDockremap) expect(await subordinateLines('dockremap')).toEqual([]);
  });

  it('creates the dockremap user with 65536 subordinate ids and runs containers mapped to them', async () => {
    expect(await userExists('dockremap')).toBe(true);
    const lines = await subordinateLines('dockremap');
    // Both files; a dockremap this test did not make may have more ranges.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    if (createdDockremap) expect(lines.map((line) => line.split(':')[2])).toEqual([String(RANGE_SIZE), String(RANGE_SIZE)]);
    const out = await dockerOk(d!, ['run', '--name', 'default-mapped', 'busybox', 'sh', '-c', 'touch /x; id -u; head -n 1 /proc/self/uid_map']);
    const [uid, map] = out.trim().split('\n');
    expect(uid).toBe('0');
    const [, hostRoot] = map!.trim().split(/\s+/);
    expect(lines.map((line) => line.split(':')[1])).toContain(hostRoot);
    expect((await stat(join(await upperDir(d!, 'default-mapped'), 'x'))).uid).toBe(Number(hostRoot));
  });
});
