import type { ServerResponse } from 'node:http';

/**
 * Aborts once the client's connection closes, and at once when it is already closed: a client that
 * left before a streaming route got here must not leave a stats loop, a log follow or an events
 * subscription running. A signal aborted at once fires no `abort` event: check `aborted` first.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const reason = (): Error => new Error('client disconnected');
  if (res.destroyed) return AbortSignal.abort(reason());
  const gone = new AbortController();
  res.once('close', () => gone.abort(reason()));
  return gone.signal;
}
