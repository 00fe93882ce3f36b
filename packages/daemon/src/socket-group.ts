import { InvalidArgumentError } from '@berth/api';
import { resolveUser } from '@berth/oci';

/**
 * The gid to share the API sockets with, looked up as dockerd's `-G` is: a gid, or a name in
 * /etc/group. The default group may be missing (the sockets are then root's alone); a group the
 * operator named may not. An empty name means no group.
 */
export function socketGroupId(group: string, etcGroup: string, isDefault: boolean): number | undefined {
  if (group === '') return undefined;
  try {
    return resolveUser(`0:${group}`, '', etcGroup).gid;
  } catch {
    if (isDefault) return undefined;
    throw new InvalidArgumentError(`socket group "${group}" not found in /etc/group`);
  }
}
