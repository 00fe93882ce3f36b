import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryBackend } from '../registry-backend.js';
import type { RegistryPath } from './route-path.js';

export interface RegistryRoutesOptions {
  /** DELETE of blobs and manifests; refused with UNSUPPORTED (405) when off, as the Go registry's `storage.delete.enabled`. */
  deleteEnabled?: boolean;
  /** The largest manifest a PUT may carry; 4 MiB by default, the spec's recommended minimum limit. */
  maxManifestBytes?: number;
  /** The largest blob an upload may make; SIZE_INVALID (413) once passed. No limit when absent. */
  maxBlobBytes?: number;
  /** Checks each request's credentials before its handler runs (`auth/authorizer.ts`); throws to refuse it. */
  authorize?: (context: HandlerContext, path: RegistryPath) => Promise<void>;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** What an endpoint's handler gets: the backend, the options, the request's query and the reply to fill. */
export interface HandlerContext {
  backend: RegistryBackend;
  options: RegistryRoutesOptions;
  request: FastifyRequest;
  reply: FastifyReply;
  query: Record<string, string | undefined>;
}

export type Handler<P> = (context: HandlerContext, path: P) => Promise<FastifyReply>;
