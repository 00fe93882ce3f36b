import type { ImageRunConfig } from '@berth/oci';

/** The shell a stage runs shell-form commands with (SHELL changes it). */
export function shellOf(config: ImageRunConfig): string[] {
  return config.Shell !== undefined && config.Shell.length > 0 ? config.Shell : ['/bin/sh', '-c'];
}

/** The environment as a map, for expanding words. */
export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) result.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return result;
}
