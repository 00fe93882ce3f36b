import { isDaemonError } from '@berth/client';

/** What docker prints for an error: daemon-reported ones say so, local ones are shown as they are. */
export function describeError(err: unknown): string {
  if (isDaemonError(err)) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
