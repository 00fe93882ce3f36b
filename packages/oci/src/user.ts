import { InvalidArgumentError } from '@berth/api';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: those listing the user as a member (only when no group is given explicitly). */
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

function parseId(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function checkRange(id: number): number {
  if (id > MAX_ID) throw new InvalidArgumentError(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

/** Non-comment, non-blank lines split on ':'; lines with non-numeric ids are skipped rather than read as 0. */
function records(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return records(text).flatMap(([name, , uid, gid]) => {
    const u = parseId(uid ?? '');
    const g = parseId(gid ?? '');
    return u === undefined || g === undefined ? [] : [{ name, uid: u, gid: g }];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return records(text).flatMap(([name, , gid, members]) => {
    const g = parseId(gid ?? '');
    const list = (members ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    return g === undefined ? [] : [{ name, gid: g, members: list }];
  });
}

/**
 * Resolves a Docker `--user` value ('', 'uid', 'uid:gid', 'name', 'name:group', mixed) against a
 * container's /etc/passwd and /etc/group contents, with runc's lookup rules: numbers always mean ids,
 * ids absent from the files are allowed, names absent from them are errors.
 */
export function resolveUser(spec: string, passwd: string, group: string): ResolvedUser {
  const separator = spec.indexOf(':');
  const userArg = (separator < 0 ? spec : spec.slice(0, separator)).trim();
  const groupArg = separator < 0 ? '' : spec.slice(separator + 1).trim();
  const uidArg = parseId(userArg);
  const gidArg = parseId(groupArg);

  const user = parsePasswd(passwd).find((entry) =>
    userArg === '' ? entry.uid === 0 : uidArg !== undefined ? entry.uid === uidArg : entry.name === userArg,
  );
  let uid = 0;
  let gid = 0;
  if (user) {
    ({ uid, gid } = user);
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = checkRange(uidArg);
  }

  const groups = parseGroup(group);
  if (groupArg !== '') {
    const explicit = groups.find((entry) => (gidArg !== undefined ? entry.gid === gidArg : entry.name === groupArg));
    if (explicit) return { uid, gid: explicit.gid, additionalGids: [] };
    if (gidArg === undefined) {
      throw new InvalidArgumentError(`unable to find group ${groupArg}: no matching entries in group file`);
    }
    return { uid, gid: checkRange(gidArg), additionalGids: [] };
  }
  const additionalGids = user ? groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid) : [];
  return { uid, gid, additionalGids };
}

/**
 * `--group-add` values resolved against a container's /etc/group as runc's GetAdditionalGroups does:
 * a name or a gid listed in the file, or any gid in range; an unknown name is an error.
 */
export function resolveAdditionalGroups(groupAdd: readonly string[], group: string): number[] {
  const groups = parseGroup(group);
  return groupAdd.map((wanted) => {
    const name = wanted.trim();
    const found = groups.find((entry) => entry.name === name || String(entry.gid) === name);
    if (found) return found.gid;
    const gid = parseId(name);
    if (gid === undefined) throw new InvalidArgumentError(`Unable to find group ${name}: no matching entries in group file`);
    return checkRange(gid);
  });
}
