import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTarEntries } from './docker-archive.js';
import { useTestDaemon } from './harness.js';

const daemon = useTestDaemon();
let work: string;
let canary: string;
/** A name that exists only on the host: seeing it in a copy means a host file was read. */
const hostOnly = `host-only-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  work = await mkdtemp('/tmp/berth-cp-race-');
  canary = join(work, 'canary');
  await mkdir(join(canary, 'sub'), { recursive: true });
  await writeFile(join(canary, 'sub', hostOnly), 'host secret\n');
  await mkdir(join(work, 'payload/a/b'), { recursive: true });
  await writeFile(join(work, 'payload/a/b/file.txt'), 'payload\n');
  await mkdir(join(work, 'out'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function canaryContents(): Promise<string[]> {
  return (await readdir(canary, { recursive: true })).sort();
}

describe('docker cp against a container that keeps swapping the path for a symlink to the host', () => {
  it('never writes into or reads from the host', { timeout: 300_000 }, async () => {
    // /tmp/x flips between a real directory and an absolute symlink naming a host directory.
    const loop = `while true; do mkdir -p /tmp/x/sub; echo in > /tmp/x/sub/f; mv /tmp/x /tmp/y; ln -sfn ${canary} /tmp/x; rm -f /tmp/x; rm -rf /tmp/y; done`;
    const started = await daemon.dockerCli(['run', '-d', '--name', 'racer', 'busybox', 'sh', '-c', loop]);
    expect(started.code, started.stderr).toBe(0);
    const before = await canaryContents();
    let copiedIn = 0;
    let copiedOut = 0;
    for (let i = 0; i < 100; i++) {
      const into = await daemon.dockerCli(['cp', join(work, 'payload'), 'racer:/tmp/x/sub']);
      if (into.code === 0) copiedIn++;
      const out = join(work, 'out', String(i));
      const from = await daemon.dockerCli(['cp', 'racer:/tmp/x/sub', out]);
      if (from.code === 0) copiedOut++;
      expect(await readdir(out, { recursive: true }).catch(() => [])).not.toContainEqual(expect.stringContaining(hostOnly));
    }
    expect(await canaryContents()).toEqual(before);
    // The race is real only if some copies got through; failures are expected when the symlink is caught.
    expect(copiedIn + copiedOut).toBeGreaterThan(0);
  });

  it('keeps diff, export, size and a commit without pausing inside the container', { timeout: 300_000 }, async () => {
    const before = await canaryContents();
    for (let i = 0; i < 30; i++) {
      const diff = await daemon.dockerCli(['diff', 'racer']);
      expect(diff.stdout).not.toContain(hostOnly);
      expect(await exportedNames('racer')).not.toContainEqual(expect.stringContaining(hostOnly));
      const sized = await daemon.dockerCli(['ps', '-a', '--size']);
      expect(sized.code, sized.stderr).toBe(0);
    }
    for (let i = 0; i < 5; i++) {
      const committed = await daemon.dockerCli(['commit', '--pause=false', 'racer', `racer-snapshot:${i}`]);
      expect(committed.code, committed.stderr).toBe(0);
      const probe = await daemon.dockerCli(['create', '--name', `probe-${i}`, `racer-snapshot:${i}`, 'true']);
      expect(probe.code, probe.stderr).toBe(0);
      expect(await exportedNames(`probe-${i}`)).not.toContainEqual(expect.stringContaining(hostOnly));
    }
    expect(await canaryContents()).toEqual(before);
    await daemon.dockerCli(['rm', '-f', 'racer']);
  });
});

/** The entry names of `docker export`. */
async function exportedNames(container: string): Promise<string[]> {
  const stream = await daemon.docker.getContainer(container).export();
  return (await readTarEntries(stream)).map((entry) => entry.name);
}
