import type { ContainerSummary, EventMessage, EventsQuery, ImageSummary, InfoResponse, VersionResponse, Volume } from '@berth/api';
import { readJsonLines } from '../json-lines.js';
import { filtersParam, type QueryOf } from '../query.js';
import { readBody } from '../response.js';
import type { Transport } from '../transport.js';

/** One record of the build cache in `/system/df`, the fields `docker system df` reads. */
export interface BuildCacheRecord {
  ID: string;
  Size: number;
  InUse: boolean;
  Shared: boolean;
  [field: string]: unknown;
}

export interface SystemDfResponse {
  LayersSize: number;
  Images: ImageSummary[];
  Containers: ContainerSummary[];
  Volumes: Volume[];
  BuildCache: BuildCacheRecord[] | null;
}

export interface EventsOptions {
  since?: string;
  until?: string;
  filters?: Record<string, string[]>;
}

export async function ping(transport: Transport): Promise<string> {
  return (await readBody(await transport.request('GET', '/_ping', { unversioned: true }))).toString('utf8');
}

export function version(transport: Transport): Promise<VersionResponse> {
  return transport.json('GET', '/version');
}

export function info(transport: Transport): Promise<InfoResponse> {
  return transport.json('GET', '/info');
}

export function systemDf(transport: Transport): Promise<SystemDfResponse> {
  return transport.json('GET', '/system/df');
}

export async function events(transport: Transport, options: EventsOptions): Promise<AsyncGenerator<EventMessage>> {
  const query = { since: options.since, until: options.until, filters: filtersParam(options.filters) } satisfies QueryOf<EventsQuery>;
  return readJsonLines<EventMessage>(await transport.request('GET', '/events', { query }));
}
