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

interface ErrorBody {
  errors?: { code?: unknown; message?: unknown }[];
}

/** The error a non-success response stands for, from the spec's `{"errors":[…]}` body when it has one. */
export async function responseError(response: Response, what: string): Promise<RegistryClientError> {
  const text = await response.text().catch(() => '');
  let first: { code?: unknown; message?: unknown } | undefined;
  try {
    first = (JSON.parse(text) as ErrorBody).errors?.[0];
  } catch {
    first = undefined;
  }
  const code = typeof first?.code === 'string' ? first.code : undefined;
  const detail = typeof first?.message === 'string' ? first.message : text.trim().slice(0, 200) || response.statusText;
  return new RegistryClientError(`${what}: ${response.status} ${detail}`, response.status, code);
}
