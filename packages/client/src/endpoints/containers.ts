import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  ContainerArchiveQuery,
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
import { readJsonLines } from '../json-lines.js';
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

/** moby's container.PathStat, sent base64-encoded JSON in X-Docker-Container-Path-Stat; `mode` is a Go os.FileMode. */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

function pathStatOf(response: IncomingMessage): ContainerPathStat {
  const header = response.headers['x-docker-container-path-stat'];
  const encoded = Array.isArray(header) ? header[0] : header;
  return JSON.parse(Buffer.from(encoded ?? 'e30=', 'base64').toString('utf8')) as ContainerPathStat;
}

/** `HEAD /containers/{id}/archive`: what is at a path in the container. */
export async function statContainerPath(transport: Transport, id: string, path: string): Promise<ContainerPathStat> {
  const response = await transport.request('HEAD', `/containers/${pathParam(id)}/archive`, { query: { path } satisfies QueryOf<ContainerArchiveQuery> });
  response.resume();
  return pathStatOf(response);
}

/** `GET /containers/{id}/archive`: a tar of the path (its base name first) and what the path is. */
export async function getContainerArchive(transport: Transport, id: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
  const response = await transport.request('GET', `/containers/${pathParam(id)}/archive`, { query: { path } satisfies QueryOf<ContainerArchiveQuery> });
  return { stat: pathStatOf(response), tar: response };
}

/** `PUT /containers/{id}/archive`: extracts a tar into a directory of the container. */
export function putContainerArchive(transport: Transport, id: string, path: string, tar: Readable, options: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean }): Promise<void> {
  const query = { path, noOverwriteDirNonDir: options.noOverwriteDirNonDir, copyUIDGID: options.copyUIDGID } satisfies QueryOf<ContainerArchiveQuery>;
  return transport.call('PUT', `/containers/${pathParam(id)}/archive`, { query, body: tar, contentType: 'application/x-tar' });
}

/** `GET /containers/{id}/export`: the container's filesystem as a tar stream. */
export function exportContainer(transport: Transport, id: string): Promise<Readable> {
  return transport.request('GET', `/containers/${pathParam(id)}/export`);
}

/** `GET /containers/{id}/stats?stream=1`: a sample a second until the container is removed or `signal` aborts. */
export async function containerStatsStream(transport: Transport, id: string, signal?: AbortSignal): Promise<AsyncGenerator<ContainerStatsResponse>> {
  const query = { stream: '1' } satisfies QueryOf<ContainerStatsQuery>;
  return readJsonLines<ContainerStatsResponse>(await transport.request('GET', `/containers/${pathParam(id)}/stats`, { query, ...(signal && { signal }) }));
}

export function removeContainer(transport: Transport, id: string, options: { force?: boolean; volumes?: boolean }): Promise<void> {
  const query = { force: options.force, v: options.volumes } satisfies QueryOf<ContainerRemoveQuery>;
  return transport.call('DELETE', `/containers/${pathParam(id)}`, { query });
}

export function pruneContainers(transport: Transport, filters: Record<string, string[]>): Promise<ContainerPruneResponse> {
  return transport.json('POST', '/containers/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}
