import { resolveAdditionalGroups, resolveUser, type ResolvedUser } from '@berth/oci';
import { readFileInRoot } from '@berth/layer';

/**
 * `user` (`-u`) and `groupAdd` (`--group-add`) resolved with the passwd and group files of a root
 * filesystem, read without letting its symlinks reach host files.
 */
export async function resolveUserInRoot(rootfs: string, user: string, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const read = async (path: string): Promise<string> => (await readFileInRoot(rootfs, path)) ?? '';
  const group = await read('/etc/group');
  const resolved = resolveUser(user, await read('/etc/passwd'), group);
  if (groupAdd.length === 0) return resolved;
  return { ...resolved, additionalGids: [...resolved.additionalGids, ...resolveAdditionalGroups(groupAdd, group)] };
}
