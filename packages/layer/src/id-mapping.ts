import type { LinuxIdMapping } from '@berth/oci';
import type { Owner } from './extract.js';

/** The uid and gid mappings of a remapped container (dockerd's IdentityMapping), as the runtime spec's lines. */
export interface IdMappings {
  uids: LinuxIdMapping[];
  gids: LinuxIdMapping[];
}

/** The id the kernel shows for an unmapped id (/proc/sys/kernel/overflowuid), as it does inside a user namespace. */
export const OVERFLOW_ID = 65534;

/** The host id of a container id; undefined when the mapping does not cover it. */
export function hostIdOf(map: readonly LinuxIdMapping[], containerId: number): number | undefined {
  const entry = map.find((e) => containerId >= e.containerID && containerId < e.containerID + e.size);
  return entry === undefined ? undefined : entry.hostID + (containerId - entry.containerID);
}

/** The container id of a host id; undefined when the mapping does not cover it. */
export function containerIdOf(map: readonly LinuxIdMapping[], hostId: number): number | undefined {
  const entry = map.find((e) => hostId >= e.hostID && hostId < e.hostID + e.size);
  return entry === undefined ? undefined : entry.containerID + (hostId - entry.hostID);
}

/** The host uid and gid of the container's root. */
export function rootPairOf(mappings: IdMappings): Owner {
  const uid = hostIdOf(mappings.uids, 0);
  const gid = hostIdOf(mappings.gids, 0);
  if (uid === undefined || gid === undefined) throw new RangeError('the id mapping does not map the container root (id 0)');
  return { uid, gid };
}

/** An owner as seen inside the container: the kernel's overflow id for what the mapping leaves out. */
export function containerOwnerOf(mappings: IdMappings, owner: Owner): Owner {
  return { uid: containerIdOf(mappings.uids, owner.uid) ?? OVERFLOW_ID, gid: containerIdOf(mappings.gids, owner.gid) ?? OVERFLOW_ID };
}

/** An owner inside the container as the host stores it; the container's root for ids the mapping leaves out. */
export function hostOwnerOf(mappings: IdMappings, owner: Owner): Owner {
  const root = rootPairOf(mappings);
  return { uid: hostIdOf(mappings.uids, owner.uid) ?? root.uid, gid: hostIdOf(mappings.gids, owner.gid) ?? root.gid };
}

/** The lines of /proc/<pid>/uid_map (or gid_map) for a mapping. */
export function procMapText(map: readonly LinuxIdMapping[]): string {
  return map.map((e) => `${e.containerID} ${e.hostID} ${e.size}\n`).join('');
}

/** Whether two mappings map the same ids the same way (compared by value, entry by entry). */
export function sameIdMappings(a: IdMappings, b: IdMappings): boolean {
  const sameMap = (x: readonly LinuxIdMapping[], y: readonly LinuxIdMapping[]): boolean =>
    x.length === y.length && x.every((e, i) => e.containerID === y[i]!.containerID && e.hostID === y[i]!.hostID && e.size === y[i]!.size);
  return sameMap(a.uids, b.uids) && sameMap(a.gids, b.gids);
}
