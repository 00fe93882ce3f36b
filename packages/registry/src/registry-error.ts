/** The OCI Distribution Specification's error codes, with the HTTP status each is answered with. */
export const REGISTRY_ERROR_STATUS = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  /** Not a spec code: a chunk that does not start where the upload ends (answered 416). */
  RANGE_INVALID: 416,
  /** Not a spec code: a pull-through cache's upstream failed, and nothing cached can answer instead (502). */
  UPSTREAM_FAILED: 502,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_STATUS;

/** An error the API answers as `{"errors":[{"code","message","detail"}]}` with the code's status. */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  get status(): number {
    return REGISTRY_ERROR_STATUS[this.code];
  }
}
