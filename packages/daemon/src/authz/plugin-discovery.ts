import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { RESTRICTED_NAME } from './restricted-name.js';

/** Where dockerd looks for plugins' sockets, then for their spec files (in this order). */
export const DOCKER_PLUGIN_SOCKETS_DIR = '/run/docker/plugins';
export const DOCKER_PLUGIN_SPEC_DIRS = ['/etc/docker/plugins', '/usr/lib/docker/plugins'];

/** Directories to search, each for sockets and spec files; the operator's come before Docker's. */
export interface PluginDirectories {
  socketDirs: readonly string[];
  specDirs: readonly string[];
}

/** Docker's search, behind the operator's own directories (`--plugin-dir`). */
export function pluginDirectories(extraDirs: readonly string[]): PluginDirectories {
  return { socketDirs: [...extraDirs, DOCKER_PLUGIN_SOCKETS_DIR], specDirs: [...extraDirs, ...DOCKER_PLUGIN_SPEC_DIRS] };
}

/**
 * The address of a legacy (v1) plugin, found as dockerd finds one: a socket `NAME.sock` (or
 * `NAME/NAME.sock`) in a sockets directory, else a spec file `NAME.spec` holding its URL or `NAME.json`
 * holding `{"Addr": URL}` (or in a `NAME/` subdirectory).
 */
export async function locatePlugin(name: string, dirs: PluginDirectories): Promise<string> {
  if (!RESTRICTED_NAME.test(name)) throw new InvalidArgumentError(`invalid plugin name ${JSON.stringify(name)}`);
  for (const dir of dirs.socketDirs) {
    for (const path of candidates(dir, name, '.sock')) {
      if ((await stat(path).catch(() => undefined))?.isSocket()) return `unix://${path}`;
    }
  }
  for (const dir of dirs.specDirs) {
    for (const path of [...candidates(dir, name, '.spec'), ...candidates(dir, name, '.json')]) {
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) return path.endsWith('.json') ? addressOfJsonSpec(text, path) : addressOfSpec(text.trim(), path);
    }
  }
  throw new InvalidArgumentError(`could not find plugin ${name} in v1 plugin registry: plugin not found`);
}

function candidates(dir: string, name: string, extension: string): string[] {
  return [join(dir, `${name}${extension}`), join(dir, name, `${name}${extension}`)];
}

function addressOfSpec(address: string, path: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) throw new InvalidArgumentError(`plugin spec ${path}: Unknown protocol in ${JSON.stringify(address)}`);
  return address;
}

function addressOfJsonSpec(text: string, path: string): string {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`plugin spec ${path}: ${(err as Error).message}`);
  }
  const { Addr: address, TLSConfig: tls } = (spec ?? {}) as { Addr?: unknown; TLSConfig?: unknown };
  if (typeof address !== 'string') throw new InvalidArgumentError(`plugin spec ${path}: no "Addr"`);
  if (tls !== undefined && tls !== null) throw new InvalidArgumentError(`plugin spec ${path}: TLSConfig is not supported (a unix:// or plain tcp:// address)`);
  return addressOfSpec(address, path);
}
