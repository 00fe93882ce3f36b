import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conmonReports } from './conmon-reports.js';
import { OciRuntimeError, createFailure, runtimeMessage } from './runtime-errors.js';
import { spawnConmon } from '../system-tools.js';
import type { TaskSpec } from './runtime-driver.js';
import { traceStep } from '../util/step-trace.js';

export interface ConmonLaunch {
  conmonPath: string;
  runtimeName: string;
  /** Absolute: conmon execs it without a PATH lookup. */
  runtimePath: string;
  stateRoot: string;
  spec: TaskSpec;
  /** Makes the bundle while conmon starts; conmon runs the runtime once it resolved (see RuntimeDriver.create). */
  prepareBundle?: () => Promise<void>;
}

/** conmon writes its own (daemonised) pid here, which lets a later daemon check that the monitor lives. */
export function conmonPidFile(persistDir: string): string {
  return join(persistDir, 'conmon.pid');
}

/** Where conmon's `runtime create` logs its errors as JSON lines (the sync pipe carries only stderr). */
function runtimeLogFile(bundleDir: string): string {
  return join(bundleDir, 'runtime.log');
}

export function conmonArgs(launch: ConmonLaunch): string[] {
  const { spec } = launch;
  const args = [
    '--api-version', '1',
    '-c', spec.id,
    '-u', spec.id,
    '-n', spec.id,
    '-r', launch.runtimePath,
    '-b', spec.bundleDir,
    '-p', join(spec.bundleDir, 'pidfile'),
    '-P', conmonPidFile(spec.persistDir),
    '-l', spec.noLog ? 'none' : `k8s-file:${spec.logPath}`,
    '--exit-dir', spec.exitDir,
    '--persist-dir', spec.persistDir,
    // The attach socket goes to <bundle>/attach; --socket-dir-path is then ignored but still required.
    '--full-attach',
    '--socket-dir-path', spec.bundleDir,
    '--runtime-arg', `--root=${launch.stateRoot}`,
    '--runtime-arg', `--log=${runtimeLogFile(spec.bundleDir)}`,
    '--runtime-arg', '--log-format=json',
  ];
  if (spec.terminal) args.push('-t');
  if (spec.openStdin) {
    args.push('-i');
    // conmon cannot tell a detach from an EOF; on a terminal EOF is ctrl-D anyway, so a TTY's stdin stays open.
    if (!spec.stdinOnce || spec.terminal) args.push('--leave-stdin-open');
  }
  if (spec.logSizeMax !== undefined && spec.logSizeMax > 0) args.push('--log-size-max', String(spec.logSizeMax));
  return args;
}

/** Leftovers of a previous run of the same container would be mistaken for this run's results. */
async function removeStaleFiles(spec: TaskSpec): Promise<void> {
  await Promise.all(
    [
      join(spec.exitDir, spec.id),
      join(spec.persistDir, 'exit'),
      join(spec.persistDir, 'oom'),
      conmonPidFile(spec.persistDir),
      join(spec.bundleDir, 'pidfile'),
      runtimeLogFile(spec.bundleDir),
    ].map((path) => rm(path, { force: true })),
  );
}

/**
 * Starts conmon for `spec` and waits until the runtime created the container. conmon gets its own session and
 * double-forks, so it outlives this process; we only keep the pipes until it reported the pid.
 */
export async function launchConmon(launch: ConmonLaunch): Promise<{ pid: number }> {
  const { spec } = launch;
  // conmon runs in the bundle dir; the others must exist by the time it writes there.
  await Promise.all([spec.bundleDir, spec.persistDir, spec.exitDir].map((dir) => mkdir(dir, { recursive: true, mode: 0o700 })));
  await removeStaleFiles(spec);
  // conmon takes EOF on its start pipe (this daemon dead) as its go-ahead: with no config.json until the bundle
  // is made, such an orphan's `runtime create` fails instead of running a previous start's stale spec.
  if (launch.prepareBundle) await rm(join(spec.bundleDir, 'config.json'), { force: true });
  const { child, syncPipe, startPipe, stderr } = spawnConmon(launch.conmonPath, conmonArgs(launch), {
    // Its files such as the `oom` marker then stay in the bundle.
    cwd: launch.spec.bundleDir,
    stderr: true,
  });
  let conmonStderr = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (text: string) => {
    conmonStderr += text;
  });
  const nextReport = conmonReports(syncPipe, 'sync');
  const ready = launch.prepareBundle?.();
  // Awaited below, once conmon runs; a rejection before that must not go unhandled.
  ready?.catch(() => undefined);
  try {
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await spawned.catch((err: unknown) => {
      throw new OciRuntimeError(`cannot run conmon (${launch.conmonPath}): ${(err as Error).message}`, { cause: err });
    });
    // conmon blocks on the start pipe until the parent is done placing it (podman moves it into a cgroup here).
    // A conmon that died early shows up as EOF on the sync pipe; its EPIPE here carries nothing more.
    traceStep(launch.spec.id, 'start: conmon spawned');
    // conmon reads the start pipe before it forks: killed now, it leaves nothing behind.
    await ready?.catch(async (err: unknown) => {
      // Gone, not only signalled, when create reports the failure: the caller may retry or remove at once.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      throw err;
    });
    startPipe.on('error', () => undefined);
    startPipe.write('0');
    const report = await nextReport();
    if (report === null) {
      throw new OciRuntimeError(`conmon failed: ${conmonStderr.trim() || 'exited without reporting the container pid'}`);
    }
    if (report.data < 0) {
      const logged = runtimeMessage(await readFile(runtimeLogFile(launch.spec.bundleDir), 'utf8').catch(() => ''), launch.runtimeName);
      throw createFailure(launch.runtimeName, logged || runtimeMessage(report.message ?? '', launch.runtimeName) || conmonStderr.trim());
    }
    return { pid: report.data };
  } finally {
    stderr.destroy();
    syncPipe.destroy();
    startPipe.destroy();
    child.unref();
  }
}
