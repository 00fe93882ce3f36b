import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  ContainerCreateRequestSchema,
  ContainerListQuerySchema,
  ExecCreateRequestSchema,
  IdParamsSchema,
  REQUEST_PART_SUBJECTS,
  assertMatchesSchema,
  optionalBody,
} from '@berth/api';
import { lazyValidatorFactory } from './lazy-validator.js';
import { formatSchemaErrors } from './validation-errors.js';

/** A server validating as berthd's does (create-server.ts), with one route per request part. */
async function withServer<T>(use: (app: ReturnType<typeof Fastify>) => Promise<T>): Promise<T> {
  const app = Fastify({
    ajv: { customOptions: { coerceTypes: false, verbose: true } },
    schemaErrorFormatter: formatSchemaErrors,
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory() } },
  });
  app.post('/exec', { schema: { body: optionalBody(ExecCreateRequestSchema) } }, async () => ({ ok: true }));
  app.post('/create', { schema: { body: optionalBody(ContainerCreateRequestSchema) } }, async () => ({ ok: true }));
  app.get('/list/:id', { schema: { querystring: ContainerListQuerySchema, params: IdParamsSchema } }, async () => ({ ok: true }));
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

describe('formatSchemaErrors', () => {
  it('words ajv failures as the @berth/api helper words them', async () => {
    const bodies: [string, unknown, typeof ExecCreateRequestSchema | typeof ContainerCreateRequestSchema][] = [
      ['/exec', { Cmd: ['id'], Privileged: 'false' }, ExecCreateRequestSchema],
      ['/exec', { Cmd: ['sh', 1] }, ExecCreateRequestSchema],
      ['/exec', { Cmd: 'sh' }, ExecCreateRequestSchema],
      ['/exec', ['id'], ExecCreateRequestSchema],
      ['/exec', { ConsoleSize: [1, 2, 3] }, ExecCreateRequestSchema],
      ['/create', { Image: 'busybox', HostConfig: { Privileged: 'yes' } }, ContainerCreateRequestSchema],
      ['/create', { Image: 'busybox', HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1 }] } }, ContainerCreateRequestSchema],
      ['/create', { Image: 'busybox', HostConfig: { ConsoleSize: [24, -1] } }, ContainerCreateRequestSchema],
    ];
    await withServer(async (app) => {
      for (const [url, payload, schema] of bodies) {
        const res = await app.inject({ method: 'POST', url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        const expected = () => assertMatchesSchema(optionalBody(schema), payload, REQUEST_PART_SUBJECTS.body);
        expect(expected).toThrow();
        try {
          expected();
        } catch (err) {
          expect(JSON.parse(res.body).message).toBe((err as Error).message);
        }
      }
    });
  });

  it('names the query and path parameter at fault', async () => {
    await withServer(async (app) => {
      const query = await app.inject({ method: 'GET', url: '/list/box?all=maybe' });
      expect(query.statusCode).toBe(400);
      expect(JSON.parse(query.body).message).toBe('invalid query parameter: all must be a boolean (1, true, 0 or false), not the string "maybe"');
      const param = await app.inject({ method: 'GET', url: '/list/a%01b' });
      expect(JSON.parse(param.body).message).toBe('invalid path parameter: id must be a name or ID, not the string "a\\u0001b"');
      expect((await app.inject({ method: 'GET', url: '/list/box?all=1&limit=3' })).statusCode).toBe(200);
    });
  });

  it('lets an empty body through as "no options"', async () => {
    await withServer(async (app) => {
      expect((await app.inject({ method: 'POST', url: '/exec' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/exec', payload: 'null', headers: { 'content-type': 'application/json' } })).statusCode).toBe(200);
    });
  });
});
