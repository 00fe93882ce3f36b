import { KindGuard, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { InvalidArgumentError } from './errors.js';
import { orNull } from './schemas/fragments.js';

/** Where a failing value sits (a JSON pointer, '' for the whole value), the schema it broke and the value itself. */
export interface SchemaViolation {
  path: string;
  schema: unknown;
  value: unknown;
}

/** What each request part is called in an error message. */
export const REQUEST_PART_SUBJECTS = {
  body: 'invalid request body',
  querystring: 'invalid query parameter',
  params: 'invalid path parameter',
  headers: 'invalid header',
} as const;

/**
 * A request body the client may leave empty: an empty body reaches validation as `null`, and Docker
 * (Go's JSON decoding) reads a `null` body as "no options".
 */
export function optionalBody<T extends TSchema>(schema: T) {
  return orNull(schema);
}

/** The first place `value` breaks `schema`, following a union into the branch of the value's own JSON type. */
export function findViolation(schema: TSchema, value: unknown, prefix = ''): SchemaViolation | undefined {
  const error = Value.Errors(schema, value).First();
  if (!error) return undefined;
  const path = prefix + error.path;
  const branch = unionBranchFor(error.schema, error.value);
  return (branch && findViolation(branch, error.value, path)) || { path, schema: error.schema, value: error.value };
}

/** A violation found by another validator (fastify's ajv), narrowed as `findViolation` would narrow it, so both word it alike. */
export function narrowViolation(violation: SchemaViolation): SchemaViolation {
  if (violation.value === undefined || !KindGuard.IsSchema(violation.schema)) return violation;
  return findViolation(violation.schema, violation.value, violation.path) ?? violation;
}

/** Checks `value` against `schema`, throwing an InvalidArgumentError that says what was wrong and where. */
export function assertMatchesSchema<T extends TSchema>(schema: T, value: unknown, subject: string): Static<T> {
  const violation = findViolation(schema, value);
  if (violation) throw new InvalidArgumentError(describeViolation(subject, violation));
  return value as Static<T>;
}

/** e.g. `invalid request body: Privileged must be a boolean, not the string "false"`. */
export function describeViolation(subject: string, { path, schema, value }: SchemaViolation): string {
  const field = displayPath(path);
  if (value === undefined) return `${subject}: ${field || 'a value'} is required (${expectedBy(schema)})`;
  return `${subject}: ${field ? `${field} ` : ''}must be ${expectedBy(schema)}, not ${describeValue(value)}`;
}

/** `/HostConfig/Binds/0` → `HostConfig.Binds[0]`. */
function displayPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((shown, segment) => (/^\d+$/.test(segment) ? `${shown}[${segment}]` : shown ? `${shown}.${segment}` : segment), '');
}

type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

function kindOf(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'boolean' || type === 'number' || type === 'string' ? type : 'object';
}

type SchemaNode = {
  type?: string;
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  items?: SchemaNode;
  const?: unknown;
  description?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  maxItems?: number;
};

/** The one branch of a union that could hold this object or array, whose own failure is the one worth naming. */
function unionBranchFor(schema: unknown, value: unknown): TSchema | undefined {
  const node = schema as SchemaNode;
  const kind = kindOf(value);
  if (!node.anyOf || (kind !== 'object' && kind !== 'array')) return undefined;
  const branches = node.anyOf.filter((branch) => schemaKinds(branch).includes(kind));
  return branches.length === 1 ? (branches[0] as TSchema) : undefined;
}

function schemaKinds(node: SchemaNode): JsonKind[] {
  if (node.anyOf) return node.anyOf.flatMap(schemaKinds);
  if (node.allOf) return ['object'];
  if (node.const !== undefined) return [kindOf(node.const)];
  if (node.type === 'integer') return ['number'];
  return node.type ? [node.type as JsonKind] : [];
}

/** What a schema accepts, in words; a schema's `description` says it best when present. */
function expectedBy(schema: unknown): string {
  const node = (schema ?? {}) as SchemaNode;
  if (node.description) return node.description;
  if (node.anyOf) return [...new Set(node.anyOf.map(expectedBy))].join(' or ');
  if (node.allOf) return 'an object';
  if (node.const !== undefined) return JSON.stringify(node.const);
  switch (node.type) {
    case 'string':
      if (node.pattern) return `a string matching ${node.pattern}`;
      return node.minLength ? 'a non-empty string' : 'a string';
    case 'integer':
      return node.minimum === 0 ? 'a non-negative integer' : 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'null':
      return 'null';
    case 'object':
      return 'an object';
    case 'array': {
      const count = node.minItems !== undefined && node.minItems === node.maxItems ? `${node.minItems} ` : '';
      return `an array of ${count}${pluralOf(node.items)}`;
    }
    default:
      return 'a valid value';
  }
}

function pluralOf(items: SchemaNode | undefined): string {
  switch (items?.type) {
    case 'string':
      return 'strings';
    case 'integer':
      return 'integers';
    case 'boolean':
      return 'booleans';
    case 'object':
      return 'objects';
    default:
      return 'values';
  }
}

function describeValue(value: unknown): string {
  switch (kindOf(value)) {
    case 'string': {
      const text = value as string;
      return `the string ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`;
    }
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    default:
      return 'an object';
  }
}
