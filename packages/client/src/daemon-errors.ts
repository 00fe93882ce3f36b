import { errorFromStatus, UnavailableError, type BerthError } from '@berth/api';

/**
 * Errors the daemon reported (an HTTP error status or an error line in a stream), as opposed to
 * failures on this side. Callers print the former as "Error response from daemon: …", as docker does.
 */
const reportedByDaemon = new WeakSet<object>();

export function daemonError(status: number, message: string): BerthError {
  return markReportedByDaemon(errorFromStatus(status, message));
}

export function markReportedByDaemon<E extends BerthError>(err: E): E {
  reportedByDaemon.add(err);
  return err;
}

export function isDaemonError(err: unknown): err is BerthError {
  return typeof err === 'object' && err !== null && reportedByDaemon.has(err);
}

export function connectionError(host: string, cause: unknown): UnavailableError {
  return new UnavailableError(`Cannot connect to the Berth daemon at ${host}. Is the berth daemon running?`, { cause });
}
