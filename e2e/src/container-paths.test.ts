import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTar, readTarEntries, type ReadTarEntry } from './docker-archive.js';
import { busyboxArchive, dockerOk, startTestDaemon, useTestDaemon, type TestDaemon } from './harness.js';

// Issue 11, items 1-3: every path into a container stays inside it, and what copy-out reads is exactly
// what it announces, whatever the container does meanwhile.

const daemon = useTestDaemon();
let work: string;

beforeAll(async () => {
  work = await mkdtemp('/tmp/berth-paths-');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const docker = (args: string[], input?: string): Promise<string> => dockerOk(daemon, args, input);

/** GET /containers/{id}/archive, parsed; `status` alone when the engine refuses. */
async function getArchive(container: string, path: string, timeoutMs = 30_000, on: TestDaemon = daemon): Promise<{ status: number; entries: ReadTarEntry[] }> {
  const request = on.docker.getContainer(container).getArchive({ path });
  const timeout = sleep(timeoutMs).then(() => {
    throw new Error(`copy of ${path} did not finish in ${timeoutMs} ms`);
  });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await Promise.race([request, timeout]);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined) return { status, entries: [] };
    throw err;
  }
  const entries = await Promise.race([readTarEntries(stream), timeout]);
  return { status: 200, entries };
}

describe('paths into a container are resolved inside it (item 1)', () => {
  const name = `berth-canary-${randomBytes(6).toString('hex')}`;
  const hostCanary = join('/run', name);

  afterAll(async () => {
    await rm(hostCanary, { force: true });
  });

  it('copies into and out of a tmpfs mounted over a symlink (/var/run -> /run) without touching the host', async () => {
    await docker(['run', '--name', 'linker', 'busybox', 'sh', '-c', 'mkdir -p /run && ln -s /run /var/run']);
    await docker(['commit', 'linker', 'var-run-link']);
    await docker(['run', '-d', '--name', 'tmpfs-link', '--tmpfs', '/var/run', 'var-run-link', 'sleep', '600']);

    const file = join(work, name);
    await writeFile(file, 'for the container\n');
    await docker(['cp', file, `tmpfs-link:/var/run/${name}`]);
    expect(existsSync(hostCanary)).toBe(false);
    expect(await docker(['exec', 'tmpfs-link', 'cat', `/run/${name}`])).toBe('for the container\n');
    await docker(['exec', 'tmpfs-link', 'rm', `/run/${name}`]);

    // A host file of the same name is neither statted, read nor listed through the container's path.
    await writeFile(hostCanary, 'host secret\n');
    const single = await daemon.dockerCli(['cp', `tmpfs-link:/var/run/${name}`, join(work, 'out-file')]);
    expect(single.code).not.toBe(0);
    expect(single.stderr).toContain('Could not find the file');
    const listing = await getArchive('tmpfs-link', '/var/run/.');
    expect(listing.status).toBe(200);
    expect(listing.entries.map((e) => e.name)).not.toContainEqual(expect.stringContaining(name));
    expect(await readFile(hostCanary, 'utf8')).toBe('host secret\n');
  });
});

describe('copy-out announces and delivers exactly what it read (item 2)', () => {
  it('never lets a file that grows or shrinks during the copy forge tar entries', { timeout: 180_000 }, async () => {
    // One 512-byte block that is a tar header of a setuid-root file: appended again and again, any byte
    // read past the size in the entry's header would start a forged entry on a block boundary.
    const forged = (await packTar([{ name: 'evil', body: '', mode: 0o4755 }])).subarray(0, 512);
    await writeFile(join(work, 'forged'), forged);
    await docker(['create', '--name', 'grower', 'busybox', 'sh', '-c', 'while :; do : > /grow; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat /forged /forged /forged /forged >> /grow; done; done']);
    await docker(['cp', join(work, 'forged'), 'grower:/forged']);
    await docker(['start', 'grower']);
    let copies = 0;
    for (let i = 0; i < 60; i++) {
      const { status, entries } = await getArchive('grower', '/grow');
      if (status === 404) continue;
      expect(status).toBe(200);
      expect(entries.map((e) => `${e.type}:${e.name}`)).toEqual(['file:grow']);
      const [grow] = entries;
      expect(grow!.body.length).toBe(grow!.size);
      copies++;
    }
    expect(copies).toBeGreaterThan(0);
    await docker(['rm', '-f', 'grower']);
  });
});

describe('copy-out reads only regular files (item 3)', () => {
  it('neither blocks on a FIFO nor streams a device swapped in for a file', { timeout: 300_000 }, async () => {
    const loop = 'while :; do rm -f /x; echo hi > /x; rm -f /x; mkfifo /x; rm -f /x; echo hi > /x; rm -f /x; mknod /x c 1 5; done';
    await docker(['run', '-d', '--name', 'swapper', 'busybox', 'sh', '-c', loop]);
    const seen = new Set<string>();
    // Four at once: before the fix, four copies stuck on FIFOs took every libuv thread, and with them
    // every filesystem call of the daemon.
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let i = 0; i < 25; i++) {
          const { status, entries } = await getArchive('swapper', '/x', 20_000);
          if (status === 404) continue;
          expect(status).toBe(200);
          for (const entry of entries) {
            seen.add(entry.type);
            if (entry.type === 'file') expect(entry.body.toString()).toBe(entry.size === 0 ? '' : 'hi\n');
            else expect(entry.body.length).toBe(0);
          }
        }
      }),
    );
    expect(seen.size).toBeGreaterThan(0);
    // The daemon's filesystem calls still work.
    expect(await docker(['exec', 'swapper', 'echo', 'alive'])).toBe('alive\n');
    const copied = await getArchive('swapper', '/etc/passwd');
    expect(copied.entries[0]?.body.toString()).toContain('root:x:0:0');
    await docker(['rm', '-f', 'swapper']);
  });
});

describe('copy-in of a tar with many directories (item 10)', () => {
  let limited: TestDaemon;

  beforeAll(async () => {
    // Few descriptors: a copy-in that held every directory open would run out of them.
    limited = await startTestDaemon([], { launcher: ['prlimit', '--nofile=400:400', '--'] });
    const loaded = await limited.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  afterAll(async () => {
    const leftovers = await limited.cleanup();
    expect(leftovers.mounts).toEqual([]);
  });

  it('extracts thousands of directories with a bounded number of open descriptors', { timeout: 180_000 }, async () => {
    const entries = [];
    for (let i = 0; i < 1500; i++) {
      entries.push({ name: `many/d${i}/`, type: 'directory' as const });
      entries.push({ name: `many/d${i}/f`, body: `${i}\n` });
    }
    const archive = await packTar(entries);
    const created = await limited.dockerCli(['create', '--name', 'many-dirs', 'busybox', 'true']);
    expect(created.code, created.stderr).toBe(0);
    await limited.docker.getContainer('many-dirs').putArchive(archive, { path: '/' });
    const copied = await limited.dockerCli(['cp', 'many-dirs:/many/d1499/f', join(work, 'last')]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(await readFile(join(work, 'last'), 'utf8')).toBe('1499\n');
    const listing = await getArchive('many-dirs', '/many', 60_000, limited);
    expect(listing.entries.filter((e) => e.type === 'directory')).toHaveLength(1501);
    expect(listing.entries.filter((e) => e.type === 'file')).toHaveLength(1500);
  });
});
