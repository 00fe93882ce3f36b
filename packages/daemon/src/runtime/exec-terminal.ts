// eslint-disable-next-line no-restricted-imports -- a process spec conmon hands to runc at once and never reads after a crash
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { OciRuntimeError } from './runtime-errors.js';
import { openAttachSocket } from './attach-socket.js';
import { conmonReports } from './conmon-reports.js';
import { resizeTerminal } from './control-fifo.js';
import type { ExecExit, ExecProcess, ExecProcessLaunch } from './exec-process.js';
import type { MonitorReaper } from './monitor-reaper.js';
import { spawnConmon } from '../system-tools.js';

export interface TerminalExecLaunch extends ExecProcessLaunch {
  conmonPath: string;
  reaper?: MonitorReaper;
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
  const { child, syncPipe, startPipe, attachPipe } = spawnConmon(launch.conmonPath, args, { attach: true });
  // A conmon that died shows up as the end of its sync and attach pipes; its EPIPE here carries nothing more.
  startPipe.on('error', () => undefined);
  child.unref();
  const nextSync = conmonReports(syncPipe, 'sync');
  const nextAttach = conmonReports(attachPipe, 'attach');
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
      try {
        const exit = await nextSync();
        return { exitCode: exit && exit.data >= 0 ? exit.data : 255 };
      } finally {
        // Waited for only so that all output is delivered: a failed session has nothing more to deliver.
        await session.ended.catch(() => undefined);
        session.detach();
        stdout.end();
        stderr.end();
        startPipe.destroy();
        syncPipe.destroy();
        attachPipe.destroy();
        await cleanup();
      }
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
