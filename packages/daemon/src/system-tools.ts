import { execFile, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ProgramFailure, exitCodeOf } from '@berth/api';

/**
 * The daemon's only module that runs external programs (lint keeps it so): the OCI runtime (runc,
 * crun), conmon, dpkg-query for the runtime's changelog, ps for `docker top`, and getent, useradd and
 * usermod for `--userns-remap default`. Every call passes an
 * argument vector, never a shell.
 */


/** Runs `path args` to its end and returns its stdout (up to `maxBuffer` bytes); a failure rejects with a ProgramFailure. */
export function runProgram(path: string, args: string[], options: { maxBuffer?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new ProgramFailure(err.message, stdout, stderr, { cause: err, exitCode: exitCodeOf(err) }));
      else resolve(stdout);
    });
  });
}

/** Starts `path args` with its stdin, stdout and stderr piped to this process. */
export function spawnPiped(path: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface ConmonOptions {
  /** conmon drops files such as its `oom` marker into its working directory. */
  cwd?: string;
  /** Keep conmon's stderr (else it is discarded). */
  stderr?: boolean;
  /** Open the attach pipe on which an exec's conmon announces its attach socket. */
  attach?: boolean;
}

/** conmon's side of its pipes; `stderr` and `attachPipe` exist when asked for. */
export type ConmonProcess<O extends ConmonOptions> = {
  child: ChildProcess;
  /** conmon reports the container's pid (and, for an exec, its exit code) here. */
  syncPipe: Readable;
  /** conmon waits for a byte here before it goes on. */
  startPipe: Writable;
} & (O['stderr'] extends true ? { stderr: Readable } : unknown) &
  (O['attach'] extends true ? { attachPipe: Readable } : unknown);

/**
 * Starts conmon in its own session (it double-forks and outlives this process) with its sync, start and,
 * if asked, attach pipes on descriptors 3, 4 and 5, as the _OCI_* variables tell it.
 */
export function spawnConmon<const O extends ConmonOptions>(path: string, args: string[], options: O): ConmonProcess<O> {
  const child = spawn(path, args, {
    stdio: ['ignore', 'ignore', options.stderr ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(options.attach ? ['pipe' as const] : [])],
    detached: true,
    cwd: options.cwd,
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', ...(options.attach ? { _OCI_ATTACHPIPE: '5' } : {}) },
  });
  const stdio = child.stdio as unknown as Array<Readable | Writable | null>;
  return {
    child,
    syncPipe: stdio[3] as Readable,
    startPipe: stdio[4] as Writable,
    stderr: stdio[2] ?? undefined,
    attachPipe: stdio[5] ?? undefined,
  } as unknown as ConmonProcess<O>;
}
