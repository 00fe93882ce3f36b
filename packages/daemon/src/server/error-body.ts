import { httpStatusOf, isBerthError } from '@berth/api';

/** An error response: its status and Docker's body, none for a 304. */
export interface ErrorReply {
  status: number;
  body?: Buffer;
}

/** Where server faults are reported. */
export interface FaultLog {
  error(details: { err: unknown }, message: string): void;
}

/**
 * The one mapping of a thrown value to an error response, for fastify's replies and the raw ones on
 * hijacked and WebSocket connections alike. Typed errors carry their status; fastify's own (a bad JSON
 * body, a body too large) theirs when it is a client error; anything else is a server fault, logged.
 * The message is the error's own, as dockerd sends it for a 500 too. 501 refuses what this engine does
 * not do (`docker logs` of a `none` log): no fault to report.
 */
export function errorReply(err: unknown, log: FaultLog): ErrorReply {
  const status = isBerthError(err) ? httpStatusOf(err) : clientErrorStatus(err) ?? 500;
  if (status >= 500 && status !== 501) log.error({ err }, 'request failed');
  if (status === 304) return { status };
  // Docker's body: `{"message":…}` and a newline (Go's JSON encoder), as bytes so no charset is added to its type.
  const message = err instanceof Error ? err.message : String(err);
  return { status, body: Buffer.from(`${JSON.stringify({ message })}\n`) };
}

function clientErrorStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status > 0 && status < 500 ? status : undefined;
}
