import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { RegistryError } from '../registry-error.js';

/**
 * An answer the spec gives with a status or code that RegistryError's table does not hold
 * (413 for an oversized manifest, PAGINATION_NUMBER_INVALID, an unknown endpoint).
 */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

export interface ErrorAnswer {
  status: number;
  body: { errors: { code: string; message: string; detail?: unknown }[] };
}

/** The spec's error body for any error; anything not meant for the client is a 500 UNKNOWN, logged. */
export function errorAnswer(err: unknown, log: FastifyBaseLogger): ErrorAnswer {
  if (err instanceof RegistryError || err instanceof RegistryHttpError) {
    return { status: err.status, body: { errors: [{ code: err.code, message: err.message, detail: err.detail }] } };
  }
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  // fastify's own 4xx refusals (a malformed request line, a body it cannot read) keep their status.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { errors: [{ code: 'UNSUPPORTED', message: (err as Error).message }] } };
  }
  log.error({ err }, 'registry request failed');
  // The fault is logged; its message (storage paths, bucket keys) is not for the client.
  return { status: 500, body: { errors: [{ code: 'UNKNOWN', message: 'unknown error' }] } };
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = errorAnswer(err, reply.log);
  // A HEAD answer carries the status alone.
  if (reply.request.method === 'HEAD') return reply.status(status).send();
  return reply.status(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
}
