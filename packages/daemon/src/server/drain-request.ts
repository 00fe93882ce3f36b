import type { FastifyRequest } from 'fastify';

/** Waits for the rest of a request body, so a client still uploading sees our error instead of a reset. */
export async function drainRequest(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.readableEnded) return;
  raw.resume();
  await new Promise<void>((resolve) => {
    raw.once('end', resolve);
    raw.once('close', resolve);
    raw.once('error', () => resolve());
  });
}
