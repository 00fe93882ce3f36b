import type { FastifySchemaValidationError, FastifyServerOptions } from 'fastify';
import { REQUEST_PART_SUBJECTS, describeViolation, narrowViolation, type SchemaViolation } from '@berth/api';

/** ajv's error objects with its `verbose` option on: the failing data and the schema that held the keyword. */
type VerboseAjvError = FastifySchemaValidationError & { data?: unknown; parentSchema?: { properties?: Record<string, unknown> } };

/**
 * One readable message for a request that failed its route's schema, worded as `@berth/api`'s own
 * validation helper words it. ajv reports every branch of a union; the deepest failure is the one that
 * names the offending field; a union failing there is narrowed as the helper narrows it.
 */
export const formatSchemaErrors: NonNullable<FastifyServerOptions['schemaErrorFormatter']> = (errors, dataVar) => {
  const subject = REQUEST_PART_SUBJECTS[dataVar];
  return new Error(describeViolation(subject, narrowViolation(violationOf(errors as VerboseAjvError[]))));
};

function violationOf(errors: VerboseAjvError[]): SchemaViolation {
  const located = errors.map((error) => {
    if (error.keyword !== 'required') return { error, path: error.instancePath };
    const missing = String(error.params.missingProperty);
    return { error, path: `${error.instancePath}/${missing}`, missing };
  });
  const deepest = located.reduce((a, b) => (depth(b.path) > depth(a.path) ? b : a));
  if (deepest.missing !== undefined) {
    return { path: deepest.path, schema: deepest.error.parentSchema?.properties?.[deepest.missing], value: undefined };
  }
  const union = errors.find((error) => error.keyword === 'anyOf' && error.instancePath === deepest.path);
  return { path: deepest.path, schema: (union ?? deepest.error).parentSchema, value: deepest.error.data };
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length;
}
