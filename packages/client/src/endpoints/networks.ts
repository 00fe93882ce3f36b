import { compareApiVersions, type FiltersQuery } from '@berth/api';
import { filtersParam, pathParam, type QueryOf } from '../query.js';
import type { Transport } from '../transport.js';

/*
 * The /networks routes. Bodies and answers are typed loosely until @berth/api has the network schemas
 * (Network, NetworkCreateRequest, EndpointSettings); callers give them their shapes.
 */

export function listNetworks<T>(transport: Transport, filters: Record<string, string[]>): Promise<T[]> {
  return transport.json('GET', '/networks', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function inspectNetwork<T>(transport: Transport, name: string, options: { verbose?: boolean }): Promise<T> {
  return transport.json('GET', `/networks/${pathParam(name)}`, { query: { verbose: options.verbose } });
}

/** Before API 1.44 a daemon checks for a duplicate name only when asked; docker's client always asks. */
export async function createNetwork(transport: Transport, body: object): Promise<{ Id: string; Warning?: string }> {
  const checkDuplicate = compareApiVersions(await transport.apiVersion(), '1.44') < 0 ? { CheckDuplicate: true } : {};
  return transport.json('POST', '/networks/create', { body: { ...body, ...checkDuplicate } });
}

export function removeNetwork(transport: Transport, name: string): Promise<void> {
  return transport.call('DELETE', `/networks/${pathParam(name)}`);
}

export function pruneNetworks(transport: Transport, filters: Record<string, string[]>): Promise<{ NetworksDeleted?: string[] | null }> {
  return transport.json('POST', '/networks/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function connectNetwork(transport: Transport, name: string, body: { Container: string; EndpointConfig?: object }): Promise<void> {
  return transport.call('POST', `/networks/${pathParam(name)}/connect`, { body });
}

export function disconnectNetwork(transport: Transport, name: string, body: { Container: string; Force?: boolean }): Promise<void> {
  return transport.call('POST', `/networks/${pathParam(name)}/disconnect`, { body });
}
