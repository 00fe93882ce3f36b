// The no-engine floor of `bench.mjs --compare --floor`: the OCI runtimes run a busybox bundle the bench prepares from
// tools/images/busybox.tar, without any engine in between.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileAsync, sh } from './bench-common.mjs';

// crun fails on this host's hybrid cgroups (cgroup v1 with cgroup2 at /sys/fs/cgroup/unified); with that mount hidden in
// a private mount namespace it runs, so the crun floor includes unshare's and umount's own cost (printed beside it).
const CRUN_WRAPPER = ['unshare', '-m', '--propagation', 'slave', 'sh', '-c', 'umount /sys/fs/cgroup/unified; exec "$@"', 'crun-floor'];
export const CRUN_NOTE = 'crun under `unshare -m` with /sys/fs/cgroup/unified unmounted';

/** A bundle at `dir` (rootfs from busybox's docker-archive, a `runc spec` config running `args`); returns its path. */
async function bundle(dir, archive, args) {
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  const { stdout } = await execFileAsync('tar', ['-xOf', archive, 'manifest.json']);
  for (const layer of JSON.parse(stdout)[0].Layers) await sh(`tar -xOf '${archive}' '${layer}' | tar -x -C '${rootfs}'`);
  await execFileAsync('runc', ['spec', '--bundle', dir]);
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  config.process.args = args;
  config.process.terminal = false;
  config.root.readonly = true;
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** Runs `command` with no stdin and its output discarded; rejects with what it printed when it fails. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let printed = '';
    child.stderr.on('data', (d) => (printed += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 3).join(' ')} failed (${code ?? signal}): ${printed.trim().split('\n').at(-1) ?? ''}`))));
  });
}

/**
 * The runtimes over two bundles under `dir`: `true` to run, `sleep` to exec into. Each container gets a fresh name;
 * `stop` removes what is still there.
 */
export async function prepareFloor(dir, archive) {
  const trueBundle = await bundle(join(dir, 'true'), archive, ['true']);
  const sleepBundle = await bundle(join(dir, 'sleep'), archive, ['sleep', '600']);
  const runcRoot = join(dir, 'runc-state');
  const crunRoot = join(dir, 'crun-state');
  let serial = 0;
  const name = () => `berth-bench-floor-${process.pid}-${serial++}`;
  const sleeper = name();
  let sleeping = false;
  return {
    runcRun: () => run('runc', ['--root', runcRoot, 'run', '--bundle', trueBundle, name()]),
    crunRun: () => run(CRUN_WRAPPER[0], [...CRUN_WRAPPER.slice(1), 'crun', '--root', crunRoot, 'run', '--bundle', trueBundle, name()]),
    crunWrapper: () => run(CRUN_WRAPPER[0], [...CRUN_WRAPPER.slice(1), 'true']),
    async runcExec() {
      if (!sleeping) {
        await run('runc', ['--root', runcRoot, 'run', '--detach', '--bundle', sleepBundle, sleeper]);
        sleeping = true;
      }
      await run('runc', ['--root', runcRoot, 'exec', sleeper, 'true']);
    },
    async stop() {
      if (sleeping) await execFileAsync('runc', ['--root', runcRoot, 'delete', '--force', sleeper]).catch(() => undefined);
    },
  };
}
