import type { FastifyRequest } from 'fastify';

/** Waits for the rest of a request body, so a client still uploading sees our error instead of a reset. */
export async function drainRequest(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  // A client that left has nothing more to send: its 'close' may have fired already.
  if (raw.readableEnded || raw.destroyed) return;
  // From a body stream the route made and did not read (`requestBody`) too: its backpressure would stall the drain.
  raw.unpipe();
  raw.resume();
  await new Promise<void>((resolve) => {
    raw.once('end', resolve);
    raw.once('close', resolve);
    raw.once('error', () => resolve());
  });
}
