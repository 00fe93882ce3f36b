import { Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import { readProgress } from '../progress-stream.js';
import { filtersParam } from '../query.js';
import type { Transport } from '../transport.js';
import { registryHeaderValue, type RegistryCredentials } from './registry.js';

/** The query of `POST /build` for the classic builder; unset fields keep the daemon's defaults. */
export interface BuildOptions {
  /** Each a `name:tag` the image gets. */
  tags?: string[];
  /** The Dockerfile's path inside the context (`Dockerfile` by default). */
  dockerfile?: string;
  /** Only the image ID is streamed back. */
  quiet?: boolean;
  noCache?: boolean;
  /** Pull FROM images even when present. */
  pull?: boolean;
  /** Remove intermediate containers after a successful build (the daemon's default). */
  remove?: boolean;
  /** Remove intermediate containers even after a failure. */
  forceRemove?: boolean;
  /** A null value declares the argument without a value, as `--build-arg NAME` of an unset variable does. */
  buildArgs?: Record<string, string | null>;
  labels?: Record<string, string>;
  target?: string;
  networkMode?: string;
  platform?: string;
  /** Credentials for the registries FROM images come from, by server, sent as `X-Registry-Config`. */
  registryConfig?: Record<string, RegistryCredentials>;
}

export interface BuildCachePruneOptions {
  /** Every unused cache record, not only dangling ones. */
  all?: boolean;
  filters?: Record<string, string[]>;
  /** Bytes of cache to keep (the oldest records go first). */
  keepStorage?: number;
}

export interface BuildCachePruneReport {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** A JSON object as a query value, omitted when empty, as the docker client sends `buildargs` and `labels`. */
function jsonParam(value: Record<string, unknown> | undefined): string | undefined {
  return value && Object.keys(value).length ? JSON.stringify(value) : undefined;
}

/** `POST /build`: sends the context tar and yields the build's progress messages; an error line is thrown with its exit code. */
export async function* buildImage(transport: Transport, context: Readable | AsyncIterable<Buffer>, options: BuildOptions): AsyncGenerator<ProgressMessage> {
  const query = {
    t: options.tags,
    dockerfile: options.dockerfile,
    q: options.quiet,
    nocache: options.noCache,
    pull: options.pull,
    // The daemon removes by default, so only an explicit false needs sending.
    rm: options.remove === undefined ? undefined : options.remove ? '1' : '0',
    forcerm: options.forceRemove,
    buildargs: jsonParam(options.buildArgs),
    labels: jsonParam(options.labels),
    target: options.target,
    networkmode: options.networkMode,
    platform: options.platform,
  };
  const headers = options.registryConfig ? { 'X-Registry-Config': registryHeaderValue(options.registryConfig) } : undefined;
  const body = context instanceof Readable ? context : Readable.from(context);
  const response = await transport.request('POST', '/build', { query, body, contentType: 'application/x-tar', ...(headers && { headers }) });
  yield* readProgress(response);
}

/** `POST /build/prune`: removes build cache records. */
export function pruneBuildCache(transport: Transport, options: BuildCachePruneOptions): Promise<BuildCachePruneReport> {
  return transport.json('POST', '/build/prune', { query: { all: options.all, 'keep-storage': options.keepStorage, filters: filtersParam(options.filters) } });
}
