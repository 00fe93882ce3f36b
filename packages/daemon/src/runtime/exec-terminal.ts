import { spawn } from 'node:child_process';
// eslint-disable-next-line no-restricted-imports -- a process spec conmon hands to runc at once and never reads after a crash
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { OciRuntimeError } from './runtime-errors.js';
import { openAttachSocket } from './attach-socket.js';
import { resizeTerminal } from './control-fifo.js';
import type { ExecExit, ExecProcess, ExecProcessLaunch } from './exec-process.js';
import type { MonitorReaper } from './monitor-reaper.js';

export interface TerminalExecLaunch extends ExecProcessLaunch {
  conmonPath: string;
  reaper?: MonitorReaper;
}

/** Yields conmon's `{"data": n, "message"?: s}` reports from one of its pipes, in order. */
function pipeReports(pipe: Readable): () => Promise<{ data: number; message?: string } | null> {
  const queue: Array<{ data: number; message?: string } | null> = [];
  const waiters: Array<(report: { data: number; message?: string } | null) => void> = [];
  const deliver = (report: { data: number; message?: string } | null): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(report);
    else queue.push(report);
  };
  let buffered = '';
  pipe.setEncoding('utf8');
  pipe.on('data', (text: string) => {
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) deliver(JSON.parse(line) as { data: number; message?: string });
    }
  });
  pipe.on('error', () => deliver(null));
  pipe.on('end', () => deliver(null));
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiters.push(resolve)));
}

/**
 * An exec with a terminal, run by conmon (`--exec --exec-attach`) because only conmon can hold the pty
 * master runc hands out. conmon announces its attach socket on the attach pipe, waits on the start pipe
 * until we are connected, then reports the pid and finally the exit code on the sync pipe.
 */
export async function startTerminalExec(launch: TerminalExecLaunch): Promise<ExecProcess> {
  const dir = join(launch.bundleDir, `exec-${launch.execId}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'process.json'), JSON.stringify({ ...launch.process, terminal: true }), { mode: 0o600 });
  const args = [
    '--api-version', '1',
    '-c', launch.containerId,
    '-u', launch.execId,
    '-r', launch.runtimePath,
    '-b', dir,
    '-p', join(dir, 'pid'),
    '-P', join(dir, 'conmon.pid'),
    '-l', `k8s-file:${join(dir, 'log')}`,
    // conmon names the exit file after the container: it must not land in the container's exit dir.
    '--exit-dir', dir,
    '--persist-dir', dir,
    '--full-attach',
    '--socket-dir-path', dir,
    '--runtime-arg', `--root=${launch.stateRoot}`,
    '--exec', '--exec-attach', '--exec-process-spec', join(dir, 'process.json'),
    '-t', '-i',
  ];
  const child = spawn(launch.conmonPath, args, {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
  });
  const syncPipe = child.stdio[3] as Readable;
  const startPipe = child.stdio[4] as Writable;
  const attachPipe = (child.stdio as unknown as Readable[])[5]!;
  startPipe.on('error', () => undefined);
  child.unref();
  const nextSync = pipeReports(syncPipe);
  const nextAttach = pipeReports(attachPipe);
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    startPipe.write('0');
    const ready = await nextAttach();
    if (!ready || ready.data < 0) throw new OciRuntimeError(`conmon exec failed: ${ready?.message ?? 'no attach socket'}`);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const session = await openAttachSocket({ id: launch.containerId, bundleDir: dir }, { stdin, stdout, stderr: stdout });
    startPipe.write('0');
    const started = await nextSync();
    if (!started || started.data < 0) throw new OciRuntimeError(`OCI runtime exec failed: ${started?.message ?? 'conmon exited'}: unknown`);
    const pid = started.data;
    await launch.reaper?.adopt(join(dir, 'conmon.pid'));
    const exited = (async (): Promise<ExecExit> => {
      const exit = await nextSync();
      await session.ended.catch(() => undefined);
      session.detach();
      stdout.end();
      stderr.end();
      startPipe.destroy();
      syncPipe.destroy();
      attachPipe.destroy();
      await cleanup();
      return { exitCode: exit && exit.data >= 0 ? exit.data : 255 };
    })();
    return {
      stdin,
      stdout,
      stderr,
      exited,
      pid: () => Promise.resolve(pid),
      kill(signal) {
        try {
          process.kill(pid, signal);
        } catch {
          // Already gone.
        }
      },
      resize: (height, width) => resizeTerminal({ id: launch.containerId, bundleDir: dir }, height, width),
    };
  } catch (err) {
    startPipe.destroy();
    syncPipe.destroy();
    attachPipe.destroy();
    await cleanup();
    throw err;
  }
}
