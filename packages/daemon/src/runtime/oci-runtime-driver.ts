import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '@berth/api';
import { openAttachSocket } from './attach-socket.js';
import { conmonPidFile, launchConmon } from './conmon.js';
import { resolveExecutable } from './executable.js';
import { startExecProcess } from './exec-process.js';
import { startTerminalExec } from './exec-terminal.js';
import { resizeTerminal } from './control-fifo.js';
import { readBundle, removeTaskFiles, writeBundle } from './task-files.js';
import { isMonitorAlive, readExit, waitExit } from './exit-file.js';
import { RuntimeCli, RuntimeCommandFailure, isMissingContainer, isNotRunning } from './runtime-cli.js';
import { OciRuntimeError } from './runtime-errors.js';
import { signalRuncInit } from './runc-init-signal.js';
import type { RuntimeDriver, RuntimeDriverOptions, RuntimeState, RuntimeStatus, TaskSpec } from './runtime-driver.js';

const STATUSES: readonly RuntimeStatus[] = ['creating', 'created', 'running', 'paused', 'stopped'];

/** A RuntimeDriver over conmon and runc/crun. Every runtime call uses `--root <stateRoot>`. */
export function createRuntimeDriver(options: RuntimeDriverOptions): RuntimeDriver {
  const runtimePath = resolveExecutable(options.runtimePath ?? options.runtime);
  const conmonPath = resolveExecutable(options.conmonPath ?? 'conmon');
  const name = options.runtime;
  const cli = new RuntimeCli(name, runtimePath, options.stateRoot);

  // runc and crun keep a container's state in a dir named by its ID under --root; only its absence is
  // known to mean no state: any other failure to look leaves the runtime to decide.
  const hasState = (id: string): Promise<boolean> =>
    access(join(options.stateRoot, id)).then(
      () => true,
      (err: unknown) => (err as NodeJS.ErrnoException).code !== 'ENOENT',
    );

  /** Runs a runtime command, turning its failure into the engine's error classes. */
  const run = async (args: string[], id: string): Promise<string> => {
    try {
      return await cli.run(args);
    } catch (err) {
      throw translate(err, id);
    }
  };

  return {
    name,
    async create(spec: TaskSpec, prepareBundle?: () => Promise<void>) {
      const started = await launchConmon({ conmonPath, runtimeName: name, runtimePath, stateRoot: options.stateRoot, spec, prepareBundle });
      await options.reaper?.adopt(conmonPidFile(spec.persistDir));
      return started;
    },
    writeBundle,
    readBundle,
    removeTaskFiles,
    async start(id) {
      await run(['start', id], id);
    },
    async kill(id, signal, all = false) {
      if (name === 'runc' && !all && (await signalRuncInit(options.stateRoot, id, signal)) !== 'undecided') return;
      try {
        await cli.run(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
      } catch (err) {
        // Exiting between the caller's check and this kill is the expected race, not an error.
        if (err instanceof RuntimeCommandFailure && isNotRunning(err)) return;
        throw translate(err, id);
      }
    },
    async pause(id) {
      await run(['pause', id], id);
    },
    async resume(id) {
      await run(['resume', id], id);
    },
    async delete(id, force = false) {
      // Most deletes find nothing (before a create, after the exit's own delete): a look at the state dir spares a spawn.
      if (!(await hasState(id))) return;
      try {
        await cli.run(['delete', ...(force ? ['--force'] : []), id]);
      } catch (err) {
        if (err instanceof RuntimeCommandFailure && isMissingContainer(err)) return;
        throw translate(err, id);
      }
    },
    async state(id): Promise<RuntimeState | null> {
      let output: string;
      try {
        output = await cli.run(['state', id]);
      } catch (err) {
        if (err instanceof RuntimeCommandFailure && isMissingContainer(err)) return null;
        throw translate(err, id);
      }
      const parsed = JSON.parse(output) as { status?: string; pid?: number };
      const status = STATUSES.find((known) => known === parsed.status);
      if (!status) throw new OciRuntimeError(`${name} reported an unknown status for ${id}: ${String(parsed.status)}`);
      return { status, pid: typeof parsed.pid === 'number' ? parsed.pid : 0 };
    },
    hasState,
    waitExit,
    readExit,
    isMonitorAlive,
    attach: openAttachSocket,
    resize: (spec, height, width) => resizeTerminal(spec, height, width),
    execProcess(spec, execId, process) {
      const launch = { runtimeName: name, runtimePath, stateRoot: options.stateRoot, containerId: spec.id, bundleDir: spec.bundleDir, execId, process };
      return process.terminal ? startTerminalExec({ ...launch, conmonPath, reaper: options.reaper }) : startExecProcess(launch);
    },
  };
}

function translate(err: unknown, id: string): Error {
  if (!(err instanceof RuntimeCommandFailure)) return err as Error;
  if (isMissingContainer(err)) return new NotFoundError(`No such container: ${id}`, { cause: err });
  if (isNotRunning(err) || /not (stopped|paused)|cannot (start|delete)|is paused|already/i.test(err.runtimeMessage)) {
    return new ConflictError(`${err.command} ${id}: ${err.runtimeMessage}`, { cause: err });
  }
  return new OciRuntimeError(`${err.command} ${id}: ${err.runtimeMessage}`, { cause: err });
}
