import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { API_SPEC } from '../paths.js';

// Arbitraries for fuzzing the Engine API: request bodies shaped by the API description's schemas and then
// broken, query strings, headers, path segments, and the framing of the request on the wire.

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  enum?: unknown[];
  'x-nullable'?: boolean;
}

interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'body' | 'header';
  type?: string;
  enum?: string[];
  schema?: Schema;
}

/** A query parameter the description declares. */
export interface QueryParameter {
  name: string;
  type?: string;
  enum?: string[];
}

interface Spec {
  paths: Record<string, Record<string, { parameters?: SpecParameter[] }>>;
  definitions: Record<string, Schema>;
}

export const SPEC = JSON.parse(readFileSync(API_SPEC, 'utf8')) as Spec;

/** The query parameters and body schema the description gives an operation (`POST`, `/containers/{id}/kill`). */
export function specOperation(method: string, template: string): { query: QueryParameter[]; body?: Schema } {
  const op = SPEC.paths[template]?.[method.toLowerCase()];
  const parameters = op?.parameters ?? [];
  return {
    query: parameters.filter((p) => p.in === 'query').map(({ name, type, enum: values }) => ({ name, ...(type ? { type } : {}), ...(values ? { enum: values } : {}) })),
    body: parameters.find((p) => p.in === 'body')?.schema,
  };
}

/** A schema with its `$ref` followed and `allOf` merged into one object. */
function resolve(schema: Schema): Schema {
  if (schema.$ref) return resolve(SPEC.definitions[schema.$ref.replace('#/definitions/', '')] ?? {});
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map(resolve);
  return { type: 'object', properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, Schema> };
}

function kindOf(schema: Schema): string | undefined {
  return schema.type ?? (schema.properties ? 'object' : undefined);
}

/** A value of the schema's shape: some of its properties, small values, nested at most a few levels. */
export function validLooking(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (depth > 3) return fc.constant(null);
  switch (kindOf(s)) {
    case 'string':
      return fc.string({ maxLength: 16 });
    case 'integer':
      return fc.integer({ min: 0, max: 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, min: 0, max: 1_000_000 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validLooking(s.items ?? {}, depth + 1), { maxLength: 2 });
    case 'object': {
      if (!s.properties) {
        const values = typeof s.additionalProperties === 'object' ? s.additionalProperties : { type: 'string' };
        return fc.dictionary(fc.string({ maxLength: 8 }), validLooking(values, depth + 1), { maxKeys: 2 });
      }
      const entries = Object.entries(s.properties);
      return fc
        .subarray(entries, { maxLength: Math.min(6, entries.length) })
        .chain((chosen) => fc.record(Object.fromEntries(chosen.map(([key, sub]) => [key, validLooking(sub, depth + 1)]))));
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/**
 * A value no decoder of the property's declared type accepts (Go's encoding/json refuses each). Strings are
 * not offered for arrays: Docker's string-slice fields (Cmd, Entrypoint) take a lone string.
 */
function wrongType(schema: Schema): fc.Arbitrary<unknown> | undefined {
  const s = resolve(schema);
  switch (kindOf(s)) {
    case 'string':
      return fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([1]));
    case 'integer':
      return fc.oneof(fc.string(), fc.constant(1.5), fc.boolean(), fc.constant({}), fc.constant('NaN'));
    case 'number':
      return fc.oneof(fc.string(), fc.boolean(), fc.constant([]));
    case 'boolean':
      return fc.oneof(fc.string(), fc.integer(), fc.constant({}));
    case 'array':
      return fc.oneof(fc.integer(), fc.boolean(), fc.constant({ a: 1 }));
    case 'object':
      return fc.oneof(fc.string(), fc.integer(), fc.constant([1]));
    default:
      return undefined;
  }
}

/** JSON that is not a document: an object's text cut short, or a complete one with a stray comma. */
const invalidJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '{"a":', '{]', 'nul', "{'a':1}", '{"a":1,}', '\u0000', '{"a":"\\x"}', '[1,]'),
  fc
    .tuple(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), fc.nat())
    .map(([value, cut]) => {
      const text = JSON.stringify(value);
      return text.slice(0, 1 + (cut % (text.length - 1)));
    }),
  fc.json({ maxDepth: 2 }).map((text) => `${text},`),
);

/**
 * A body that any server validating it must refuse: invalid JSON, a document that is not an object, or the
 * schema's shape with one declared property of the wrong type. What the mutating routes are fuzzed with.
 */
export function refusedBody(schema: Schema | undefined): fc.Arbitrary<string> {
  const s = schema ? resolve(schema) : {};
  const typed = Object.entries(s.properties ?? {}).flatMap(([key, sub]) => {
    const wrong = sub['x-nullable'] ? undefined : wrongType(sub);
    return wrong ? [{ key, wrong }] : [];
  });
  const notObject = fc.constantFrom('[]', '42', '"text"', 'true', '[{}]');
  if (typed.length === 0) return fc.oneof(invalidJson, notObject);
  const wrongField = fc
    .tuple(validLooking(s), fc.constantFrom(...typed))
    .chain(([base, { key, wrong }]) => wrong.map((value) => JSON.stringify({ ...(base as object), [key]: value })));
  return fc.oneof(invalidJson, notObject, wrongField);
}

/** Numbers at and past the edges of every integer type. */
const extremeNumbers = fc.constantFrom('-1', '0', '9007199254740993', '9223372036854775807', '-9223372036854775809', '1e308', '-1e308', '1e999', '0.5', '-0');

/** Any body a client might send: valid-looking, broken, extreme, deeply nested, huge, or not JSON at all. */
export function anyBody(schema: Schema | undefined): fc.Arbitrary<string> {
  const shaped = schema ? validLooking(schema).map((value) => JSON.stringify(value) ?? '') : fc.json({ maxDepth: 2 });
  const s = schema ? resolve(schema) : {};
  const numericKeys = Object.entries(s.properties ?? {})
    .filter(([, sub]) => ['integer', 'number'].includes(kindOf(resolve(sub)) ?? ''))
    .map(([key]) => key);
  const extremes = numericKeys.length
    ? [fc.tuple(fc.constantFrom(...numericKeys), extremeNumbers).map(([key, n]) => `{${JSON.stringify(key)}:${n}}`)]
    : [];
  return fc.oneof(
    { arbitrary: shaped, weight: 4 },
    { arbitrary: refusedBody(schema), weight: 3 },
    ...extremes.map((arbitrary) => ({ arbitrary, weight: 1 })),
    { arbitrary: fc.constantFrom('', ' ', 'null', '{}', '""'), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`), weight: 1 },
    { arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => JSON.stringify(new Array<number>(n).fill(7))), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 1 },
  );
}

/** Random bytes: an archive no tar reader accepts (nor any other format a route reads). */
export const garbageBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((bytes) => Buffer.from(bytes));

const hex = (byte: number) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;

/** A path segment, already encoded for a request line: traversal, NUL, broken escapes, very long, unicode. */
export const garbageSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '..%2F..%2Fetc', '%2F', '%00', 'a%00b', '%', '%ZZ', '%C0%AE', '%E2%80%AE', '%FF', '~', '%20', '-', '--help', '*', '__proto__', 'constructor', 'null', '0', '-1', ''),
  fc.string({ unit: 'grapheme', maxLength: 24 }).map(encodeURIComponent),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => [...bytes].map(hex).join('')),
  fc.integer({ min: 256, max: 20_000 }).map((n) => 'a'.repeat(n)),
);

/** An API version prefix, valid, too old, too new or malformed. */
export const versionPrefix = fc.oneof(
  { arbitrary: fc.constantFrom('', '/v1.47', '/v1.44', '/v1.24'), weight: 4 },
  { arbitrary: fc.constantFrom('/v1.12', '/v1.99', '/v2.0', '/v1.47.1', '/v01.47', '/v1.', '/v', '/v1.47/v1.47'), weight: 1 },
);

const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', 'true', 'false', 'yes', 'NaN', 'Infinity', '1e309', '99999999999999999999999', '0x1f', '1.5', ' ', 'null', '[]', '{}', '{"a":'),
  fc.constantFrom('{"label":["x"]}', '{"dangling":{"true":true}}', '{"status":[1]}', '{"until":["garbage"]}', '{"name":"x"}', '{"id":{"x":"y"}}', '["a"]'),
  fc.string({ maxLength: 20 }),
  fc.json({ maxDepth: 2 }),
  extremeNumbers,
);

/** Filters as clients send them, on the keys the routes know, with values odd and plain (regexps for `name`). */
const filterValue: fc.Arbitrary<string> = fc
  .dictionary(
    fc.constantFrom('label', 'status', 'name', 'id', 'before', 'since', 'ancestor', 'reference', 'dangling', 'until', 'type', 'driver', 'scope', 'event', 'container', 'image', 'volume', 'network', 'health', 'exited', 'is-task', 'expose', 'publish'),
    fc.array(fc.oneof(fc.constantFrom('true', 'false', 'running', 'exited', '[', '(', '*', '\\', '^/fuzz', 'a=b', 'busybox', 'fuzz-running', 'busy*', '10m', '-1', '1e999', '0', 'local', 'healthy', '80/tcp', '1-65535'), fc.string({ maxLength: 8 })), { maxLength: 2 }),
    { maxKeys: 2 },
  )
  .map((filters) => JSON.stringify(filters));

/** A value for a declared parameter: of its type or enum mostly, anything at times. */
function typedValue(parameter: QueryParameter): fc.Arbitrary<string> {
  const typed: fc.Arbitrary<string>[] = [];
  if (parameter.enum?.length) typed.push(fc.constantFrom(...parameter.enum));
  if (parameter.name === 'filters') typed.push(filterValue);
  if (parameter.type === 'boolean') typed.push(fc.constantFrom('1', '0', 'true', 'false', 'yes', 'no', 'maybe'));
  if (parameter.type === 'integer') typed.push(fc.integer({ min: -5, max: 100 }).map(String), extremeNumbers);
  if (parameter.type === 'string') {
    typed.push(fc.constantFrom('/', '/etc', '..', '/proc/self/root', '*', '10m', 'all', '-1', '2006-01-02T15:04:05Z', '1700000000.5', 'SIGKILL', 'busybox', 'fuzz-running', 'linux/amd64', 'stdout'));
  }
  return typed.length ? fc.oneof({ arbitrary: fc.oneof(...typed), weight: 3 }, { arbitrary: queryValue, weight: 1 }) : queryValue;
}

/** Query pairs, already encoded, the route's own parameters among random ones, keys repeated at times. */
export function queryPairs(parameters: readonly QueryParameter[]): fc.Arbitrary<string[]> {
  const randomPair = fc.tuple(fc.string({ maxLength: 8 }), queryValue);
  const declared = parameters.map((parameter) => fc.tuple(fc.constant(parameter.name), typedValue(parameter)));
  const pair = declared.length ? fc.oneof({ arbitrary: fc.oneof(...declared), weight: 4 }, { arbitrary: randomPair, weight: 1 }) : randomPair;
  const encoded = pair.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const raw = fc.constantFrom('a=%', 'filters=%ZZ', '=', '', 'a', 'a=b=c', 'x[]=1', '__proto__=1', 'constructor[prototype]=1', 'a=%00');
  return fc.array(fc.oneof({ arbitrary: encoded, weight: 6 }, { arbitrary: raw, weight: 1 }), { maxLength: 4 });
}

export function queryString(pairs: readonly string[]): string {
  return pairs.length ? `?${pairs.join('&')}` : '';
}

const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '');
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Headers a client might send: registry credentials garbled, odd content types, unknown ones. */
export const headerPairs: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    fc.tuple(
      fc.constantFrom('X-Registry-Auth', 'X-Registry-Config'),
      fc.oneof(
        fc.constantFrom('', '!!!', 'e30=', 'bnVsbA==', 'W10=', 'eyJ1c2VybmFtZSI6MX0=', '%%%'),
        fc.json({ maxDepth: 2 }).map(base64),
        fc.string({ maxLength: 40 }).map(printable),
      ),
    ),
    fc.tuple(
      fc.constant('Content-Type'),
      fc.constantFrom('application/json', 'text/plain', 'application/x-tar', 'application/json; charset=utf-8', 'application/octet-stream', 'multipart/form-data; boundary=x', 'garbage', '', 'application/json, text/plain'),
    ),
    fc.tuple(fc.constantFrom('Accept', 'Accept-Encoding', 'User-Agent'), fc.constantFrom('*/*', 'gzip', 'x')),
    // Any Expect but 100-continue is refused by the HTTP layer (417) before a route sees the request: rarely.
    fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '100-continue', '100-continue', 'x')),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), fc.string({ maxLength: 30 }).map(printable)),
  ),
  { maxLength: 4 },
);

/** The headers that ask to hijack or upgrade the connection, as the docker CLI and websocket clients send them. */
export const upgradeHeaders: fc.Arbitrary<Array<[string, string]>> = fc
  .tuple(fc.constantFrom('tcp', 'websocket', 'h2c', 'garbage', ''), fc.constantFrom('Upgrade', 'upgrade, keep-alive', 'close'), fc.boolean())
  .map(([upgrade, connection, websocketKey]) => [
    ['Connection', connection],
    ['Upgrade', upgrade],
    ...(websocketKey ? ([['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']] as Array<[string, string]>) : []),
  ]);

/**
 * How a body is put on the wire. `length` and `chunked` are well-formed; `short` announces more than it sends
 * (and the client then half-closes), `long` less, `both` sends Transfer-Encoding and Content-Length,
 * `bad-chunk` a chunk size that is not hex, `none` a body no header announces.
 */
export type Framing = 'length' | 'chunked' | 'short' | 'long' | 'both' | 'bad-chunk' | 'none';
export const WELL_FORMED: readonly Framing[] = ['length', 'chunked'];
export const MALFORMED: readonly Framing[] = ['short', 'long', 'both', 'bad-chunk', 'none'];

export interface FuzzRequest {
  method: string;
  /** The request target, encoded: path and query. */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  framing: Framing;
}

/** The request as bytes, framed as asked; a Host header first, as HTTP/1.1 requires. */
export function serialize(request: FuzzRequest): Buffer {
  const { method, target, headers, body, framing } = request;
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: docker', ...headers.map(([name, value]) => `${name}: ${value}`)];
  let payload = body;
  if (framing === 'length') lines.push(`Content-Length: ${body.length}`);
  if (framing === 'short') lines.push(`Content-Length: ${body.length + 1 + (body.length % 7)}`);
  if (framing === 'long') lines.push(`Content-Length: ${Math.floor(body.length / 2)}`);
  if (framing === 'both') lines.push(`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked');
  if (framing === 'chunked' || framing === 'bad-chunk') {
    lines.push('Transfer-Encoding: chunked');
    const size = framing === 'chunked' ? body.length.toString(16) : 'zz';
    payload = Buffer.concat([Buffer.from(`${size}\r\n`), body, Buffer.from(body.length && framing === 'chunked' ? '\r\n0\r\n\r\n' : '\r\n')]);
    if (framing === 'chunked' && body.length === 0) payload = Buffer.from('0\r\n\r\n');
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), payload]);
}
