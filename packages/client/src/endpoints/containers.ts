import type {
  ContainerCreateQuery,
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerKillQuery,
  ContainerListQuery,
  ContainerPruneResponse,
  ContainerRemoveQuery,
  ContainerRenameQuery,
  ContainerStatsQuery,
  ContainerStatsResponse,
  ContainerStopQuery,
  ContainerSummary,
  ContainerTopQuery,
  ContainerTopResponse,
  ContainerUpdateRequest,
  ContainerUpdateResponse,
  FiltersQuery,
  FilesystemChange,
} from '@berth/api';
import { filtersParam, pathParam, type QueryOf } from '../query.js';
import type { Transport } from '../transport.js';

export interface ContainerListOptions {
  all?: boolean;
  filters?: Record<string, string[]>;
  size?: boolean;
  limit?: number;
}

export interface StopOptions {
  timeout?: number;
  signal?: string;
}

export function createContainer(transport: Transport, body: ContainerCreateRequest, options: { name?: string | undefined; platform?: string | undefined }): Promise<ContainerCreateResponse> {
  return transport.json('POST', '/containers/create', { query: { name: options.name, platform: options.platform } satisfies QueryOf<ContainerCreateQuery>, body });
}

export function listContainers(transport: Transport, options: ContainerListOptions): Promise<ContainerSummary[]> {
  const query = { all: options.all, size: options.size, limit: options.limit, filters: filtersParam(options.filters) } satisfies QueryOf<ContainerListQuery>;
  return transport.json('GET', '/containers/json', { query });
}

export function inspectContainer(transport: Transport, id: string): Promise<ContainerInspect> {
  return transport.json('GET', `/containers/${pathParam(id)}/json`);
}

/** The state changes without parameters: start, pause, unpause. */
export function changeState(transport: Transport, id: string, change: 'start' | 'pause' | 'unpause'): Promise<void> {
  return transport.call('POST', `/containers/${pathParam(id)}/${change}`);
}

/** Stop and restart take the same grace period and signal. */
export function stopOrRestart(transport: Transport, id: string, action: 'stop' | 'restart', options: StopOptions): Promise<void> {
  const query = { t: options.timeout, signal: options.signal } satisfies QueryOf<ContainerStopQuery>;
  return transport.call('POST', `/containers/${pathParam(id)}/${action}`, { query });
}

export function killContainer(transport: Transport, id: string, signal?: string): Promise<void> {
  return transport.call('POST', `/containers/${pathParam(id)}/kill`, { query: { signal } satisfies QueryOf<ContainerKillQuery> });
}

export function renameContainer(transport: Transport, id: string, name: string): Promise<void> {
  return transport.call('POST', `/containers/${pathParam(id)}/rename`, { query: { name } satisfies QueryOf<ContainerRenameQuery> });
}

export function updateContainer(transport: Transport, id: string, body: ContainerUpdateRequest): Promise<ContainerUpdateResponse> {
  return transport.json('POST', `/containers/${pathParam(id)}/update`, { body });
}

export function topContainer(transport: Transport, id: string, psArgs?: string): Promise<ContainerTopResponse> {
  return transport.json('GET', `/containers/${pathParam(id)}/top`, { query: { ps_args: psArgs } satisfies QueryOf<ContainerTopQuery> });
}

export async function containerChanges(transport: Transport, id: string): Promise<FilesystemChange[]> {
  // docker's daemon answers null for a container with no changes.
  return (await transport.json<FilesystemChange[] | null>('GET', `/containers/${pathParam(id)}/changes`)) ?? [];
}

export function containerStats(transport: Transport, id: string): Promise<ContainerStatsResponse> {
  return transport.json('GET', `/containers/${pathParam(id)}/stats`, { query: { stream: '0' } satisfies QueryOf<ContainerStatsQuery> });
}

export function removeContainer(transport: Transport, id: string, options: { force?: boolean; volumes?: boolean }): Promise<void> {
  const query = { force: options.force, v: options.volumes } satisfies QueryOf<ContainerRemoveQuery>;
  return transport.call('DELETE', `/containers/${pathParam(id)}`, { query });
}

export function pruneContainers(transport: Transport, filters: Record<string, string[]>): Promise<ContainerPruneResponse> {
  return transport.json('POST', '/containers/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}
