/** A variable's name: what comes before the first '=', or the whole entry when it is a bare name. */
const nameOf = (entry: string): string => entry.split('=', 1)[0]!;

/**
 * moby's merge of an image's env into a create request's: the request's entries as given, then the
 * image's entries whose names the request does not mention (a bare `FOO` counts as mentioning FOO).
 */
export function mergeImageEnv(image: readonly string[] | null | undefined, requested: readonly string[] | null | undefined): string[] {
  if (!requested || requested.length === 0) return [...(image ?? [])];
  const names = new Set(requested.map(nameOf));
  return [...requested, ...(image ?? []).filter((entry) => !names.has(nameOf(entry)))];
}

/**
 * moby's ReplaceOrAppendEnvValues, which makes a process env from the engine's defaults and the
 * container's Env: an entry replaces the default of its name or is appended, and a bare name (`-e FOO`
 * with FOO unset in the client) removes the default of that name and is otherwise dropped.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const env: Array<string | undefined> = [...defaults];
  const positions = new Map(defaults.map((entry, i) => [nameOf(entry), i]));
  for (const entry of overrides) {
    const at = positions.get(nameOf(entry));
    if (!entry.includes('=')) {
      if (at !== undefined) env[at] = undefined;
    } else if (at !== undefined) {
      env[at] = entry;
    } else {
      env.push(entry);
    }
  }
  return env.filter((entry): entry is string => entry !== undefined);
}
