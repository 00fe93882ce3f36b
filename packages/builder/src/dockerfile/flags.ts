/**
 * An instruction's `--flag` words checked against the flags it takes, with BuildKit's BFlags messages
 * (`unknown flag: --foo`, `duplicate flag specified: --from`, `missing a value on flag: --chown` …).
 */
import type { Flags } from './commands.js';
import { suggest } from './suggest.js';

export type FlagType = 'bool' | 'string';

/** The flags an instruction takes, by name without `--`. */
export type FlagSpec = Record<string, FlagType>;

/** Flags BuildKit parses but the classic builder (which we are) cannot honour: refused as Docker's classic builder refuses them. */
const REQUIRES_BUILDKIT = new Set(['mount', 'security', 'device', 'parents', 'exclude', 'keep-git-dir', 'checksum', 'unpack']);

export class FlagError extends Error {}

/** Parses `words` (`--name[=value]`): booleans become `true` (and `--x=false` is left out), strings keep their text. */
export function parseFlags(words: string[], spec: FlagSpec): Flags {
  const flags: Flags = {};
  const used = new Set<string>();
  for (const word of words) {
    if (!word.startsWith('--')) throw new FlagError(`arg should start with -- : ${word}`);
    const eq = word.indexOf('=');
    const flagName = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const name = flagName.slice(2);
    const type = spec[name];
    if (!type) throw new FlagError(suggest(`unknown flag: ${flagName}`, name, Object.keys(spec), true));
    if (used.has(name)) throw new FlagError(`duplicate flag specified: ${flagName}`);
    used.add(name);
    if (REQUIRES_BUILDKIT.has(name)) {
      throw new FlagError(`the --${name} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
    }
    if (type === 'string') {
      if (value === undefined) throw new FlagError(`missing a value on flag: ${flagName}`);
      flags[name] = value;
      continue;
    }
    if (value === '') throw new FlagError(`missing a value on flag: ${flagName}`);
    const bool = (value ?? 'true').toLowerCase();
    if (bool !== 'true' && bool !== 'false') throw new FlagError(`expecting boolean value for flag ${flagName}, not: ${value}`);
    if (bool === 'true') flags[name] = true;
  }
  return flags;
}
