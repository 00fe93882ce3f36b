import { rm } from 'node:fs/promises';
import { ProgramFailure, UnavailableError } from '@berth/api';
import { hostCgroupLayout, type CgroupLayout } from '../adapters/cgroup-layout.js';
import { runProgram } from '../system-tools.js';
import { resolveExecutable } from './executable.js';
import { hiddenMountCommand, mountToHideFromCrun, writeCrunWrapper } from './crun-wrapper.js';

export type RuntimeName = 'runc' | 'crun';

/** The OCI runtime the engine runs every container with. */
export interface RuntimeSelection {
  name: RuntimeName;
  /** The runtime's own binary, whose fixes are checked. */
  binary: string;
  /** crun's command on a hybrid host whose cgroup2 mount it must not see (runtime/crun-wrapper.ts). */
  hiddenMountCommand?: string[];
}

/** What the choice depends on: this host's cgroups, its executables, and whether the wrapper's command runs. */
export interface RuntimeHost {
  cgroupLayout(): Promise<CgroupLayout>;
  /** An executable's absolute path; throws when it is not installed. */
  resolve(command: string): string;
  /** Runs `command --version`; rejects when it fails. */
  probe(command: string[]): Promise<void>;
}

const HOST: RuntimeHost = {
  cgroupLayout: hostCgroupLayout,
  resolve: resolveExecutable,
  probe: async ([path, ...args]) => {
    await runProgram(path!, [...args, '--version']).catch((err: unknown) => {
      throw new Error(err instanceof ProgramFailure ? err.stderr.trim() || err.message : String(err), { cause: err });
    });
  },
};

/** crun on this host, directly or through the wrapper once its command proved to run. */
async function crunSelection(host: RuntimeHost): Promise<RuntimeSelection> {
  const binary = host.resolve('crun');
  const hidden = mountToHideFromCrun(await host.cgroupLayout());
  if (hidden === undefined) return { name: 'crun', binary };
  const command = hiddenMountCommand({ crun: binary, unshare: host.resolve('unshare'), mount: host.resolve('mount'), umount: host.resolve('umount'), shell: '/bin/sh' }, hidden);
  try {
    await host.probe(command);
  } catch (err) {
    throw new Error(`cannot hide the hybrid cgroup2 mount ${hidden} from crun in a mount namespace: ${(err as Error).message.trim()}`, { cause: err });
  }
  return { name: 'crun', binary, hiddenMountCommand: command };
}

/**
 * The runtime `--runtime` names, refused with the reason when it cannot run containers here. Nothing on
 * disk changes: `installRuntime` does that.
 */
export async function selectRuntime(requested: RuntimeName, host: RuntimeHost = HOST): Promise<RuntimeSelection> {
  if (requested === 'runc') return { name: 'runc', binary: host.resolve('runc') };
  try {
    return await crunSelection(host);
  } catch (err) {
    throw new UnavailableError(`crun cannot run containers on this host: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The executable conmon and the engine run as the runtime: the wrapper (written into `execRoot`) or the
 * binary. The written wrapper is run once: an exec root mounted noexec would fail every container.
 */
export async function installRuntime(selection: RuntimeSelection, execRoot: string, host: Pick<RuntimeHost, 'probe'> = HOST): Promise<string> {
  if (!selection.hiddenMountCommand) return selection.binary;
  const wrapper = await writeCrunWrapper(execRoot, selection.hiddenMountCommand);
  try {
    await host.probe([wrapper]);
  } catch (err) {
    await rm(wrapper, { force: true });
    // Root is refused the x bit of its own 0700 file only on a noexec mount.
    const reason = causeCode(err) === 'EACCES' ? `the exec root ${execRoot} is mounted noexec` : (err as Error).message.trim();
    throw new UnavailableError(`crun cannot run containers on this host: its wrapper ${wrapper} cannot be run: ${reason}`, { cause: err });
  }
  return wrapper;
}

/** The errno code somewhere down an error's causes. */
function causeCode(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
