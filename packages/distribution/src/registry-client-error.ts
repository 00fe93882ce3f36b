import type { Response } from 'undici';
import { readBounded } from './bounded-body.js';

/** A registry's refusal or a transfer that failed verification, with the status and the registry's own error code. */
export class RegistryClientError extends Error {
  constructor(
    message: string,
    /** The HTTP status; undefined when the failure is not the registry's answer (a digest mismatch). */
    readonly status?: number,
    /** The first `errors[].code` of the registry's body (`MANIFEST_UNKNOWN`, `DENIED`, …). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RegistryClientError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** A failure worth another attempt: no answer, a cut transfer, or the registry's own 5xx or 429. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof RegistryClientError)) return false;
  if (err.status === undefined) return err.code === undefined;
  return err.status >= 500 || err.status === 429;
}

interface ErrorBody {
  errors?: { code?: unknown; message?: unknown }[];
}

// Enough for the spec's error document; the rest of a longer body is not read (containerd's limit).
const MAX_ERROR_BODY_BYTES = 8 * 1024;

const STATUS_CODES: Record<number, { code: string; message: string }> = {
  401: { code: 'UNAUTHORIZED', message: 'authentication required' },
  403: { code: 'DENIED', message: 'requested access to the resource is denied' },
  429: { code: 'TOOMANYREQUESTS', message: 'too many requests' },
};

/** The error a non-success response stands for, from the spec's `{"errors":[…]}` body when it has one. */
export async function responseError(response: Response, what: string): Promise<RegistryClientError> {
  const text = (await readBounded(response, MAX_ERROR_BODY_BYTES, what).catch(() => Buffer.alloc(0))).toString('utf8');
  let first: { code?: unknown; message?: unknown } | undefined;
  try {
    first = (JSON.parse(text) as ErrorBody).errors?.[0];
  } catch {
    first = undefined;
  }
  // A HEAD answer has no body: the status stands for the code, as the Go client reads it.
  const fallback = STATUS_CODES[response.status];
  const code = typeof first?.code === 'string' ? first.code : fallback?.code;
  const detail = typeof first?.message === 'string' ? first.message : text.trim().slice(0, 200) || fallback?.message || response.statusText;
  return new RegistryClientError(`${what}: ${response.status} ${detail}`, response.status, code);
}
