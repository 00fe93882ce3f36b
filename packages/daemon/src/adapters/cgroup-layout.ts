import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unescapeMountPath } from '@berth/layer';

/**
 * How the host mounts its cgroups: `unified` (cgroup2 at /sys/fs/cgroup), `legacy` (v1 controllers
 * only) or `hybrid` (v1 controllers plus a cgroup2 mount below them, with the controllers it holds).
 */
export type CgroupLayout =
  | { mode: 'unified' }
  | { mode: 'legacy' }
  | { mode: 'hybrid'; unifiedMount: string; unifiedControllers: string[] };

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The mount points and filesystem types of a /proc/<pid>/mountinfo. */
function mountsOf(mountinfo: string): Array<{ point: string; type: string }> {
  const mounts: Array<{ point: string; type: string }> = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 5 || fields[4] === undefined || fields[separator + 1] === undefined) continue;
    mounts.push({ point: unescapeMountPath(fields[4]), type: fields[separator + 1]! });
  }
  return mounts;
}

/** The layout a mount table shows; `controllersOf` reads a cgroup2 mount's cgroup.controllers. */
export function cgroupLayoutOf(mountinfo: string, controllersOf: (mountPoint: string) => string): CgroupLayout {
  const mounts = mountsOf(mountinfo);
  // The last mount on a point is the one seen there.
  const root = mounts.filter((m) => m.point === CGROUP_ROOT).at(-1);
  if (root?.type === 'cgroup2') return { mode: 'unified' };
  const unified = mounts.filter((m) => m.type === 'cgroup2' && m.point.startsWith(`${CGROUP_ROOT}/`)).at(-1);
  if (!unified) return { mode: 'legacy' };
  return { mode: 'hybrid', unifiedMount: unified.point, unifiedControllers: controllersOf(unified.point).split(/\s+/).filter(Boolean) };
}

/** This host's layout, as the daemon's mount namespace shows it. */
export async function hostCgroupLayout(): Promise<CgroupLayout> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const controllers = new Map<string, string>();
  const layout = cgroupLayoutOf(mountinfo, (point) => controllers.get(point) ?? '');
  if (layout.mode !== 'hybrid') return layout;
  controllers.set(layout.unifiedMount, await readFile(join(layout.unifiedMount, 'cgroup.controllers'), 'utf8').catch(() => ''));
  return cgroupLayoutOf(mountinfo, (point) => controllers.get(point) ?? '');
}
