import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isTempFileName, writeFileAtomic } from '@berth/layer';
import type { CgroupLayout } from '../adapters/cgroup-layout.js';

/**
 * crun 1.x refuses a hybrid host whose cgroup2 mount holds controllers ("cgroups in hybrid mode not
 * supported, drop all controllers from cgroupv2"), yet runs there as on a legacy host once that mount is
 * out of its sight. Undefined when crun runs directly: unified, legacy, or hybrid with an empty cgroup2.
 */
export function mountToHideFromCrun(layout: CgroupLayout): string | undefined {
  return layout.mode === 'hybrid' && layout.unifiedControllers.length > 0 ? layout.unifiedMount : undefined;
}

export interface CrunWrapperTools {
  crun: string;
  unshare: string;
  mount: string;
  umount: string;
  shell: string;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that runs crun (its arguments appended) in a mount namespace of its own with `hidden`
 * detached there. Every other mount keeps the host's propagation, as runc running in the host's namespace
 * sees it: host mounts made later reach rslave binds, and a container's mounts in rshared binds reach the
 * host. Only the mount holding `hidden` becomes a slave first, so that the detach stays in the namespace.
 */
export function hiddenMountCommand(tools: CrunWrapperTools, hidden: string): string[] {
  const script = `${shellQuote(tools.mount)} --make-rslave ${shellQuote(dirname(hidden))} && ${shellQuote(tools.umount)} -l ${shellQuote(hidden)} && exec "$0" "$@"`;
  return [tools.unshare, '--mount', '--propagation', 'unchanged', '--', tools.shell, '-c', script, tools.crun];
}

/** An executable standing in for crun wherever the engine runs it (conmon's create, exec, kill, delete…). */
function wrapperScript(command: string[]): string {
  return `#!/bin/sh\n# Written by berthd: crun with the hybrid cgroup2 mount hidden (runtime/crun-wrapper.ts).\nexec ${command.map(shellQuote).join(' ')} "$@"\n`;
}

/**
 * Writes the wrapper into `dir` (the exec root, whose pid file this daemon holds) and returns its path,
 * mode 0700. It is replaced whole: a shell still running the previous daemon's copy reads it as it goes.
 * The temp files of a write a crash interrupted go first: no other daemon writes here.
 */
export async function writeCrunWrapper(dir: string, command: string[]): Promise<string> {
  const name = 'crun-hidden-cgroup2';
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(`.${name}.`) && isTempFileName(entry)) await rm(join(dir, entry), { force: true });
  }
  const path = join(dir, name);
  await writeFileAtomic(path, wrapperScript(command), 0o700);
  return path;
}
