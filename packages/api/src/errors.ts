/**
 * One error taxonomy for the whole engine (containerd's errdefs, moby's httpstatus): every failure a
 * caller should see is one of these classes; `httpStatusOf` is the single place that maps them to HTTP.
 */
export type ErrorKind =
  | 'not-found'
  | 'invalid-argument'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'not-modified'
  | 'not-implemented'
  | 'internal';

export abstract class BerthError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotFoundError extends BerthError {
  readonly kind = 'not-found';
}
export class InvalidArgumentError extends BerthError {
  readonly kind = 'invalid-argument';
}
export class ConflictError extends BerthError {
  readonly kind = 'conflict';
}
export class UnauthorizedError extends BerthError {
  readonly kind = 'unauthorized';
}
export class ForbiddenError extends BerthError {
  readonly kind = 'forbidden';
}
export class UnavailableError extends BerthError {
  readonly kind = 'unavailable';
}
export class NotModifiedError extends BerthError {
  readonly kind = 'not-modified';
}
export class NotImplementedError extends BerthError {
  readonly kind = 'not-implemented';
}
export class InternalError extends BerthError {
  readonly kind = 'internal';
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  'not-found': 404,
  'invalid-argument': 400,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-modified': 304,
  'not-implemented': 501,
  internal: 500,
};

export function isBerthError(err: unknown): err is BerthError {
  return err instanceof BerthError;
}

/** HTTP status for any thrown value; anything outside the taxonomy is a server fault. */
export function httpStatusOf(err: unknown): number {
  return isBerthError(err) ? STATUS_BY_KIND[err.kind] : 500;
}

/** Rebuilds a typed error from an HTTP status and message (clients; a wrapped error). */
export function errorFromStatus(status: number, message: string, options?: { cause?: unknown }): BerthError {
  switch (status) {
    case 400:
      return new InvalidArgumentError(message, options);
    case 401:
      return new UnauthorizedError(message, options);
    case 403:
      return new ForbiddenError(message, options);
    case 404:
      return new NotFoundError(message, options);
    case 409:
      return new ConflictError(message, options);
    case 304:
      return new NotModifiedError(message, options);
    case 501:
      return new NotImplementedError(message, options);
    case 503:
      return new UnavailableError(message, options);
    default:
      return new InternalError(message, options);
  }
}

/** `context: message` as an error of the same kind (moby's `errors.Wrapf`, which keeps the status of what it wraps). */
export function wrapError(err: unknown, context: string): BerthError {
  const message = err instanceof Error ? err.message : String(err);
  return errorFromStatus(httpStatusOf(err), `${context}: ${message}`, { cause: err });
}
