import { activatePlugins, type PluginAuthorization } from './plugin-authorization.js';
import { pluginClient } from './plugin-client.js';
import { locatePlugin, pluginDirectories } from './plugin-discovery.js';

/** Finds and activates the named authorization plugins, as dockerd does at its start. */
export function authorizationPlugins(names: readonly string[], extraDirs: readonly string[]): Promise<PluginAuthorization> {
  const dirs = pluginDirectories(extraDirs);
  return activatePlugins(names, async (name) => pluginClient(await locatePlugin(name, dirs)));
}
