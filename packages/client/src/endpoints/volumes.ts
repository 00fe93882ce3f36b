import type { FiltersQuery, Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse, VolumeRemoveQuery } from '@berth/api';
import { filtersParam, pathParam, type QueryOf } from '../query.js';
import type { Transport } from '../transport.js';

export function listVolumes(transport: Transport, filters: Record<string, string[]>): Promise<VolumeListResponse> {
  return transport.json('GET', '/volumes', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function createVolume(transport: Transport, body: VolumeCreateRequest): Promise<Volume> {
  return transport.json('POST', '/volumes/create', { body });
}

export function inspectVolume(transport: Transport, name: string): Promise<Volume> {
  return transport.json('GET', `/volumes/${pathParam(name)}`);
}

export function removeVolume(transport: Transport, name: string, options: { force?: boolean }): Promise<void> {
  return transport.call('DELETE', `/volumes/${pathParam(name)}`, { query: { force: options.force } satisfies QueryOf<VolumeRemoveQuery> });
}

export function pruneVolumes(transport: Transport, filters: Record<string, string[]>): Promise<VolumePruneResponse> {
  return transport.json('POST', '/volumes/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}
