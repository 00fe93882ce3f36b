import type { FastifyInstance } from 'fastify';

/** `http.headers`: each configured header added to every answer, as the Go registry adds them. */
export function addResponseHeaders(app: FastifyInstance, headers: Record<string, string[]>): void {
  app.addHook('onRequest', async (_request, reply) => {
    for (const [name, values] of Object.entries(headers)) void reply.header(name, values.length === 1 ? values[0] : values);
  });
}
