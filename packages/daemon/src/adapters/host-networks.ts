import type { NetworkService } from '../ports.js';

/**
 * The network drivers that need no set-up: `none` (a new, empty namespace, which is also what
 * unsupported modes get today) and `host` (the engine's own namespace).
 */
export function hostNetworks(): NetworkService {
  return {
    connect: async (c) => (c.hostConfig.NetworkMode === 'host' ? 'host' : 'none'),
    disconnect: async () => undefined,
  };
}
