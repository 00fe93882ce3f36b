import type { Readable } from 'node:stream';
import type {
  CommitQuery,
  FiltersQuery,
  ImageCreateQuery,
  ImageHistoryItem,
  ImageInspect,
  ImageListQuery,
  ImageLoadQuery,
  ImageRemoveQuery,
  ImageSaveQuery,
  ImageSummary,
  ImageTagQuery,
  ProgressMessage,
} from '@berth/api';
import { readProgress } from '../progress-stream.js';
import { filtersParam, pathParam, type QueryOf } from '../query.js';
import type { Transport } from '../transport.js';

export type ImageDeleteRecord = { Untagged: string } | { Deleted: string };

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteRecord[] | null;
  SpaceReclaimed: number;
}

export interface ImageListOptions {
  all?: boolean;
  digests?: boolean;
  filters?: Record<string, string[]>;
}

export interface ImageImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause?: boolean;
  changes?: string[];
}

/** `POST /images/load`: per-layer "Loading layer" progress unless quiet, then the "Loaded image" lines as `stream` messages; an error line is thrown. */
export async function* loadImage(transport: Transport, tar: Readable, options: { quiet?: boolean }): AsyncGenerator<ProgressMessage> {
  const response = await transport.request('POST', '/images/load', {
    // The daemon's default is quiet: progress is asked for with quiet=0, as the docker client does.
    query: { quiet: options.quiet ? '1' : '0' } satisfies QueryOf<ImageLoadQuery>,
    body: tar,
    contentType: 'application/x-tar',
  });
  yield* readProgress(response);
}

export function listImages(transport: Transport, options: ImageListOptions): Promise<ImageSummary[]> {
  const query = { all: options.all, digests: options.digests, filters: filtersParam(options.filters) } satisfies QueryOf<ImageListQuery>;
  return transport.json('GET', '/images/json', { query });
}

export function inspectImage(transport: Transport, name: string): Promise<ImageInspect> {
  return transport.json('GET', `/images/${pathParam(name)}/json`);
}

export function imageHistory(transport: Transport, name: string): Promise<ImageHistoryItem[]> {
  return transport.json('GET', `/images/${pathParam(name)}/history`);
}

export function removeImage(transport: Transport, name: string, options: { force?: boolean; noPrune?: boolean }): Promise<ImageDeleteRecord[]> {
  const query = { force: options.force, noprune: options.noPrune } satisfies QueryOf<ImageRemoveQuery>;
  return transport.json('DELETE', `/images/${pathParam(name)}`, { query });
}

export function tagImage(transport: Transport, name: string, repo: string, tag?: string): Promise<void> {
  return transport.call('POST', `/images/${pathParam(name)}/tag`, { query: { repo, tag } satisfies QueryOf<ImageTagQuery> });
}

export function pruneImages(transport: Transport, filters: Record<string, string[]>): Promise<ImagePruneReport> {
  return transport.json('POST', '/images/prune', { query: { filters: filtersParam(filters) } satisfies QueryOf<FiltersQuery> });
}

export function saveImages(transport: Transport, names: string[]): Promise<Readable> {
  return transport.request('GET', '/images/get', { query: { names } satisfies QueryOf<ImageSaveQuery> });
}

export async function importImage(transport: Transport, tar: Readable, options: ImageImportOptions): Promise<string> {
  const { repo, tag, message, changes } = options;
  const response = await transport.request('POST', '/images/create', {
    query: { fromSrc: '-', repo, tag, message, changes } satisfies QueryOf<ImageCreateQuery>,
    body: tar,
    contentType: 'application/x-tar',
  });
  let id = '';
  for await (const progress of readProgress(response)) if (progress.status) id = progress.status;
  return id;
}

export function commitContainer(transport: Transport, container: string, options: CommitOptions): Promise<{ Id: string }> {
  const { repo, tag, comment, author, changes } = options;
  const pause = options.pause === false ? '0' : undefined;
  return transport.json('POST', '/commit', { query: { container, repo, tag, comment, author, pause, changes } satisfies QueryOf<CommitQuery> });
}
