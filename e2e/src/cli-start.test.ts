import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon } from './harness.js';
import { BERTH, PACKAGES_DIR } from './paths.js';

/*
 * The bundled berth's start-up aids, run as users run berth: V8's compile cache in the user's own cache
 * directory, which never fails a command when it cannot be written, and the version the bundle carries.
 */
describe('berth start-up: the compile cache and the bundled version', () => {
  const d = useTestDaemon({ busybox: false });
  const { version } = JSON.parse(readFileSync(join(PACKAGES_DIR, 'cli/package.json'), 'utf8')) as { version: string };
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-start-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps V8's compiled code under $XDG_CACHE_HOME/berth, and a run from the cache prints the same", async () => {
    const env = { ...d.env, XDG_CACHE_HOME: join(dir, 'xdg') };
    const args = ['version', '--format', '{{.Client.Version}} {{.Server.APIVersion}}'];
    const first = await run(BERTH, args, { env });
    expect(first).toEqual({ code: 0, stdout: `${version} 1.47\n`, stderr: '' });
    const cache = join(dir, 'xdg/berth/compile-cache');
    const [nodeVersion] = await readdir(cache);
    expect(await readdir(join(cache, nodeVersion!))).not.toEqual([]);
    expect(await run(BERTH, args, { env })).toEqual(first);
  });

  it('runs as usual where it cannot write its cache, as root and as another user', async () => {
    // Not even root can make a directory under a regular file.
    const file = join(dir, 'not-a-directory');
    await writeFile(file, '');
    const asRoot = await run(BERTH, ['ps', '--format', '{{.ID}}'], { env: { ...d.env, XDG_CACHE_HOME: file } });
    expect(asRoot).toEqual({ code: 0, stdout: '', stderr: '' });
    // nobody, whose HOME is root's (mode 0700) temp directory.
    const asNobody = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', BERTH, '--version'], { env: { HOME: dir, XDG_CACHE_HOME: '' } });
    expect(asNobody).toEqual({ code: 0, stdout: `Berth version ${version}\n`, stderr: '' });
  });

  it('ends quietly with status 141 when its reader has gone (as docker ends by SIGPIPE)', async () => {
    // The read end is closed before berth writes anything, so its first write fails with EPIPE.
    const child = spawn(BERTH, ['info'], { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });
});
