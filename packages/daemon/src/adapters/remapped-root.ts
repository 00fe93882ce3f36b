import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, ProgramFailure } from '@berth/api';
import type { IdMappings } from '@berth/layer';
import { runProgram } from '../system-tools.js';
import { DEFAULT_RANGE_SIZE, idMapOf, nextFreeRange, parseRemapSetting, subordinateRanges, type RemapSetting } from '../userns/remap-setting.js';

const SUBUID_FILE = '/etc/subuid';
const SUBGID_FILE = '/etc/subgid';

/** The daemon's `--userns-remap`: the user whose subordinate ids its containers run as, and their maps. */
export interface RemappedRoot {
  user: string;
  mappings: IdMappings;
}

/** A passwd or group entry through NSS (getent), or undefined when there is none. */
async function getent(database: 'passwd' | 'group', key: string): Promise<string[] | undefined> {
  try {
    return (await runProgram('getent', [database, key])).trim().split(':');
  } catch (err) {
    if (err instanceof ProgramFailure) return undefined;
    throw err;
  }
}

async function readOptional(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

/**
 * dockerd's `default`: the dockremap user and group, made if missing, and 65536 free subordinate ids in
 * each of /etc/subuid and /etc/subgid that gives it none (each file on its own, as dockerd's createSubordinateRanges).
 */
async function ensureDefaultUser(user: string): Promise<void> {
  if ((await getent('passwd', user)) === undefined) {
    await runProgram('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', user]);
  }
  const uid = Number(((await getent('passwd', user)) ?? [])[2]);
  for (const [file, option] of [
    [SUBUID_FILE, '--add-subuids'],
    [SUBGID_FILE, '--add-subgids'],
  ] as const) {
    const text = await readOptional(file);
    if (subordinateRanges(text, user, uid).length > 0) continue;
    const start = nextFreeRange([text]);
    await runProgram('usermod', [option, `${start}-${start + DEFAULT_RANGE_SIZE - 1}`, user]);
  }
}

async function userName(setting: RemapSetting): Promise<{ name: string; uid: number }> {
  const entry = await getent('passwd', setting.user);
  if (entry === undefined) {
    const what = /^\d+$/.test(setting.user) ? `uid ${setting.user} has no entry in /etc/passwd` : `user ${JSON.stringify(setting.user)} does not exist`;
    throw new InvalidArgumentError(`Can't create ID mappings: ${what}`);
  }
  if (setting.group !== undefined && (await getent('group', setting.group)) === undefined) {
    throw new InvalidArgumentError(`Can't create ID mappings: group ${JSON.stringify(setting.group)} does not exist`);
  }
  return { name: entry[0] ?? setting.user, uid: Number(entry[2]) };
}

/** dockerd's warning when the remap user is root, for which it leaves remapping off. */
export const ROOT_REMAP_WARNING = 'User namespaces: root cannot be remapped with itself; user namespaces are OFF';

/**
 * Reads (for `default`, first creates) the remap user's subordinate ranges from /etc/subuid and /etc/subgid,
 * as dockerd's setupRemappedRoot does; a user without ranges in either file is an error. Undefined for
 * root (by name or uid 0): as dockerd, remapping then stays off (see ROOT_REMAP_WARNING).
 */
export async function loadRemappedRoot(value: string): Promise<RemappedRoot | undefined> {
  const setting = parseRemapSetting(value);
  if (setting.isDefault) await ensureDefaultUser(setting.user);
  const { name, uid } = await userName(setting);
  if (name === 'root') return undefined;
  const [subuid, subgid] = await Promise.all([readOptional(SUBUID_FILE), readOptional(SUBGID_FILE)]);
  const uidRanges = subordinateRanges(subuid, name, uid);
  const gidRanges = subordinateRanges(subgid, name, uid);
  if (uidRanges.length === 0) throw new InvalidArgumentError(`Can't create ID mappings: no subuid ranges found for user ${JSON.stringify(name)} in ${SUBUID_FILE}`);
  if (gidRanges.length === 0) throw new InvalidArgumentError(`Can't create ID mappings: no subgid ranges found for user ${JSON.stringify(name)} in ${SUBGID_FILE}`);
  return { user: name, mappings: { uids: idMapOf(uidRanges), gids: idMapOf(gidRanges) } };
}
