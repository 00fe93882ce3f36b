import {
  compareApiVersions,
  type FiltersQuery,
  type NetworkConnectRequest,
  type NetworkCreateRequest,
  type NetworkCreateResponse,
  type NetworkDisconnectRequest,
  type NetworkPruneResponse,
  type NetworkResource,
} from '@berth/api';
import { filtersParam, pathParam, type QueryOf } from '../query.js';
import type { Transport } from '../transport.js';

/** The /networks routes. */

export function listNetworks(transport: Transport, filters: Record<string, string[]>): Promise<NetworkResource[]> {
  return transport.json('GET', '/networks', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function inspectNetwork(transport: Transport, name: string, options: { verbose?: boolean }): Promise<NetworkResource> {
  return transport.json('GET', `/networks/${pathParam(name)}`, { query: { verbose: options.verbose } });
}

/** Before API 1.44 a daemon checks for a duplicate name only when asked; docker's client always asks. */
export async function createNetwork(transport: Transport, body: NetworkCreateRequest): Promise<NetworkCreateResponse> {
  const checkDuplicate = compareApiVersions(await transport.apiVersion(), '1.44') < 0 ? { CheckDuplicate: true } : {};
  return transport.json('POST', '/networks/create', { body: { ...body, ...checkDuplicate } });
}

export function removeNetwork(transport: Transport, name: string): Promise<void> {
  return transport.call('DELETE', `/networks/${pathParam(name)}`);
}

export function pruneNetworks(transport: Transport, filters: Record<string, string[]>): Promise<NetworkPruneResponse> {
  return transport.json('POST', '/networks/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function connectNetwork(transport: Transport, name: string, body: NetworkConnectRequest): Promise<void> {
  return transport.call('POST', `/networks/${pathParam(name)}/connect`, { body });
}

export function disconnectNetwork(transport: Transport, name: string, body: NetworkDisconnectRequest): Promise<void> {
  return transport.call('POST', `/networks/${pathParam(name)}/disconnect`, { body });
}
