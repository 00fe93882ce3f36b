import { InvalidArgumentError, compareApiVersions, type ContainerCreateRequest, type EndpointRequest } from '@berth/api';
import { modeNetworkName } from '../container/network-mode.js';

export const CONTAINER_WIDE_MAC_WARNING = 'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.';

/** dockerd's refusal of a MAC address where the container has no endpoint of its own. */
const MAC_WITHOUT_ENDPOINT = 'conflicting options: mac-address and the network mode';

type Endpoints = Record<string, EndpointRequest | null>;

/** A mode whose network the container joins with an endpoint of its own: the default bridge or a named network. */
function ownsEndpoint(mode: string): boolean {
  return mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
}

/**
 * The key of the mode's network among the requested endpoints, dockerd's epConfigForNetMode: with none
 * requested, the mode's own name; before API 1.44 (one endpoint at most) whichever is there; otherwise an
 * entry must name the mode's network, since a key may be a name, an ID or a short ID and a second entry for
 * the same network would be dropped. `default` and `bridge` name the same network.
 */
function endpointKeyForMode(mode: string, endpoints: Endpoints, legacy: boolean): string {
  const keys = Object.keys(endpoints);
  if (keys.length === 0) return mode;
  if (legacy) return keys[0]!;
  const key = keys.find((k) => k === mode || modeNetworkName(k) === modeNetworkName(mode));
  if (key === undefined) throw new InvalidArgumentError('unable to migrate container-wide MAC address to a specific network: HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
  return key;
}

/**
 * dockerd's handling of the container-wide `Config.MacAddress` (deprecated in API 1.44) at create: the
 * address moves to the endpoint of the network mode's network, which is what assigns it. From API 1.44 the
 * container-wide field is cleared with a warning and must agree with that endpoint's own address; before,
 * an endpoint's address is ignored as those versions did, and the field is kept as sent. A container
 * without an endpoint of its own (host, none, container:) cannot take one.
 */
export function migrateContainerWideMac(request: ContainerCreateRequest, apiVersion: string): { request: ContainerCreateRequest; warnings: string[] } {
  const legacy = compareApiVersions(apiVersion, '1.44') < 0;
  const mac = request.MacAddress ?? '';
  const endpoints: Endpoints = { ...(request.NetworkingConfig?.EndpointsConfig ?? {}) };
  const withEndpoints = (next: Endpoints): ContainerCreateRequest => ({ ...request, NetworkingConfig: { ...request.NetworkingConfig, EndpointsConfig: next } });
  if (mac === '') {
    if (!legacy) return { request, warnings: [] };
    const cleared = Object.fromEntries(Object.entries(endpoints).map(([key, settings]) => [key, settings && { ...settings, MacAddress: '' }]));
    return { request: Object.keys(cleared).length ? withEndpoints(cleared) : request, warnings: [] };
  }
  const mode = request.HostConfig?.NetworkMode || 'default';
  if (!ownsEndpoint(mode)) throw new InvalidArgumentError(MAC_WITHOUT_ENDPOINT);
  const key = endpointKeyForMode(mode, endpoints, legacy);
  const endpoint = endpoints[key] ?? {};
  if (!legacy && endpoint.MacAddress && endpoint.MacAddress !== mac) {
    throw new InvalidArgumentError('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
  }
  const migrated = withEndpoints({ ...endpoints, [key]: { ...endpoint, MacAddress: mac } });
  if (legacy) return { request: migrated, warnings: [] };
  const { MacAddress: _cleared, ...rest } = migrated;
  return { request: rest, warnings: [CONTAINER_WIDE_MAC_WARNING] };
}
