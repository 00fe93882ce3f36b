import Fastify, { type FastifyServerOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyValidatorFactory } from './lazy-validator.js';

const schema = { type: 'object', properties: { Cmd: { type: 'array', items: { type: 'string' } } }, required: ['Cmd'] };

async function post(options: FastifyServerOptions, body: unknown): Promise<{ status: number; body: string }> {
  const app = Fastify(options);
  app.post('/x', { schema: { body: schema } }, async () => ({ ok: true }));
  const res = await app.inject({ method: 'POST', url: '/x', payload: body as object });
  await app.close();
  return { status: res.statusCode, body: res.body };
}

describe('lazyValidatorFactory', () => {
  const lazy = { ajv: { customOptions: { coerceTypes: false } }, schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory() } } };
  const eager = { ajv: { customOptions: { coerceTypes: false } } };

  it('accepts what fastify accepts', async () => {
    expect(await post(lazy, { Cmd: ['true'] })).toEqual({ status: 200, body: '{"ok":true}' });
  });

  it('rejects with the same status and message as fastify', async () => {
    for (const body of [{ Cmd: 'true' }, {}, { Cmd: [1] }]) {
      const expected = await post(eager, body);
      expect(expected.status).toBe(400);
      expect(await post(lazy, body)).toEqual(expected);
    }
  });
});
