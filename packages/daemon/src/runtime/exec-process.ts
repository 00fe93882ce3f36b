// eslint-disable-next-line no-restricted-imports -- a runc process spec read once, right away, and deleted: never read after a crash
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { RuntimeSpec } from '@berth/oci';
import { runtimeMessage } from './runtime-errors.js';
import { spawnPiped } from '../system-tools.js';

type OciProcess = NonNullable<RuntimeSpec['process']>;

export interface ExecProcessLaunch {
  /** Whose words the runtime's failures are in (runtime-errors.ts). */
  runtimeName: string;
  runtimePath: string;
  stateRoot: string;
  containerId: string;
  bundleDir: string;
  /** Names the process spec and pid files in the bundle. */
  execId: string;
  process: OciProcess;
}

export interface ExecExit {
  /** 128 + signal for a signal; 126 when the runtime could not start the process. */
  exitCode: number;
  /** Why the runtime could not start the process, as Docker words it. */
  runtimeError?: string;
}

/** A process started with `runc exec` whose stdio pipes this daemon holds (it dies with the daemon). */
export interface ExecProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** The process's pid in the host's namespace, once runc has written it. */
  pid(): Promise<number>;
  /** Settles after all output was read. */
  readonly exited: Promise<ExecExit>;
  kill(signal: NodeJS.Signals): void;
  /** Resizes the process's terminal (nothing to do without one). */
  resize(height: number, width: number): Promise<void>;
}

/**
 * Runs `runc exec --process <spec>` in the foreground: without a terminal runc hands its own stdio to the
 * process, so the pipes we hold are the process's stdio and runc's exit code is the process's.
 */
export async function startExecProcess(launch: ExecProcessLaunch): Promise<ExecProcess> {
  const specPath = join(launch.bundleDir, `exec-${launch.execId}.json`);
  const pidPath = join(launch.bundleDir, `exec-${launch.execId}.pid`);
  const logPath = join(launch.bundleDir, `exec-${launch.execId}.log`);
  await writeFile(specPath, JSON.stringify(launch.process), { mode: 0o600 });
  const child = spawnPiped(launch.runtimePath, [
    '--root', launch.stateRoot, '--log', logPath, '--log-format', 'json', 'exec', '--process', specPath, '--pid-file', pidPath, launch.containerId,
  ]);
  // Writing to a process that exited fails with EPIPE; its exit is reported through `exited`.
  child.stdin.on('error', () => undefined);
  let spawnFailure: Error | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      spawnFailure = err;
      resolve(126);
    });
    child.once('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  }).then(async (code): Promise<ExecExit> => {
    // runc's own failures (no such binary, bad cwd) are in its log; the process never ran.
    const logged = code !== 0 ? runtimeMessage(await readFile(logPath, 'utf8').catch(() => ''), launch.runtimeName) || (spawnFailure?.message ?? '') : '';
    await Promise.all([specPath, pidPath, logPath].map((p) => rm(p, { force: true })));
    return logged ? { exitCode: 126, runtimeError: `OCI runtime exec failed: ${logged}: unknown` } : { exitCode: code };
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    async pid() {
      const text = await readFile(pidPath, 'utf8').catch(() => '');
      return Number.parseInt(text, 10) || 0;
    },
    kill(signal) {
      child.kill(signal);
    },
    resize: () => Promise.resolve(),
  };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 0;
}
