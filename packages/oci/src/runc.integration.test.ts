import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildRuntimeSpec, type SpecInput } from './build-runtime-spec.js';
import { serializeRuntimeSpec } from './serialize.js';

const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const canRun = process.getuid?.() === 0 && existsSync(RUNC) && existsSync(BUSYBOX);
const run = promisify(execFile);
/** runc removes each container's cgroup but not this parent, which the tests remove at the end. */
const CGROUP_PARENT = 'berth-oci-test';

/** A bundle whose rootfs holds only busybox and the applets the test uses. */
function makeBundle(): { dir: string; input: SpecInput } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-oci-'));
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'id', 'cat', 'grep']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(dir, 'hosts'), '127.0.0.1\tlocalhost\n');
  writeFileSync(join(dir, 'hostname'), 'berth-test\n');
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const id = `berth-oci-test-${randomBytes(6).toString('hex')}`;
  return {
    dir,
    input: {
      rootfs,
      args: ['/bin/sh', '-c', 'id -u; cat /proc/self/status | grep CapEff; cat /etc/hostname'],
      env: [],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      terminal: false,
      hostname: 'berth-test',
      namespaces: { network: 'none' },
      etcFiles: { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') },
      cgroupsPath: `/${CGROUP_PARENT}/${id}`,
      annotations: { 'berth.test.id': id },
    },
  };
}

describe.skipIf(!canRun)('runc accepts the generated spec', () => {
  const bundles: { dir: string; id: string }[] = [];

  afterEach(async () => {
    for (const { dir, id } of bundles.splice(0)) {
      await run(RUNC, ['delete', '-f', id]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  afterAll(() => {
    for (const controller of readdirSync('/sys/fs/cgroup')) {
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, CGROUP_PARENT));
      } catch {
        // not created under this controller
      }
    }
  });

  async function runContainer(overrides: Partial<SpecInput>): Promise<string> {
    const { dir, input } = makeBundle();
    const id = input.annotations?.['berth.test.id'] ?? '';
    bundles.push({ dir, id });
    writeFileSync(join(dir, 'config.json'), serializeRuntimeSpec(buildRuntimeSpec({ ...input, ...overrides })));
    const { stdout } = await run(RUNC, ['run', '--bundle', dir, id], { timeout: 20_000 });
    return stdout;
  }

  it("runs a container with Docker's defaults", async () => {
    const lines = (await runContainer({})).trim().split('\n');
    expect(lines[0]).toBe('0');
    // Docker's 14 capabilities as a mask.
    expect(lines[1]).toMatch(/^CapEff:\s+00000000a80425fb$/);
    expect(lines[2]).toBe('berth-test');
  });

  it('runs a privileged container with the host bounding set', async () => {
    const lines = (await runContainer({ privileged: true })).trim().split('\n');
    const hostBounding = /^CapBnd:\s+([0-9a-f]+)$/m.exec(await run('cat', ['/proc/self/status']).then((r) => r.stdout));
    expect(lines[1]).toBe(`CapEff:\t${hostBounding?.[1]}`);
  });
});
