import type { FastifyInstance } from 'fastify';

// How often connections that went idle during the drain are closed: a keep-alive connection whose
// last request ended would otherwise hold the close for the keep-alive timeout.
const IDLE_SWEEP_MS = 100;

/**
 * Stops accepting connections and waits for the requests in flight (an upload still streaming
 * included) for at most `timeoutMs`, then cuts the connections still open.
 */
export async function drain(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const closed = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      app.log.warn({ drainTimeoutMs: timeoutMs }, 'drain timeout reached; closing the connections still open');
      app.server.closeAllConnections();
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([closed, expired]);
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
