import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import { API_SPEC } from './paths.js';

/**
 * The upstream Engine API description (v1.47) as a validator of responses. The description marks few
 * properties as required, so a missing field would pass unnoticed: here every property of the objects
 * below is required, except those Docker itself leaves out (`omitempty` in moby's types) or sends only
 * on request; so is every property of an operation's inline response. Arrays and objects may be null, as
 * Go's nil slices and maps are.
 */
const STRICT_OBJECTS = new Set([
  'ContainerInspect',
  'HostConfig',
  'Resources',
  'ContainerConfig',
  'ImageConfig',
  'ContainerState',
  'NetworkSettings',
  'EndpointSettings',
  'MountPoint',
  'RestartPolicy',
  'DriverData',
  'ImageInspect',
  'ImageSummary',
  'ImageHistoryResponseItem',
  'ContainerSummary',
  'ContainerCreateResponse',
  'ContainerWaitResponse',
  'FilesystemChange',
  'Volume',
  'VolumeListResponse',
  'SystemInfo',
  'SystemVersion',
  'PluginsInfo',
  'ExecInspect',
  'ProcessConfig',
  'EventMessage',
  'EventActor',
  'IdResponse',
  'ErrorResponse',
]);

/** Properties of strict objects that Docker omits, by object (`Object.property` for nested anonymous ones). */
const OMITTED_BY_DOCKER: Record<string, string[]> = {
  // Only with `?size=1`: the size test checks them.
  ContainerInspect: ['SizeRw', 'SizeRootFs'],
  ContainerSummary: ['SizeRw', 'SizeRootFs'],
  'ContainerSummary.HostConfig': ['Annotations'],
  HostConfig: ['Mounts', 'Annotations', 'StorageOpt', 'Tmpfs', 'Sysctls'],
  Resources: ['KernelMemoryTCP', 'Init'],
  ContainerConfig: ['ExposedPorts', 'Healthcheck', 'ArgsEscaped', 'NetworkDisabled', 'MacAddress', 'StopSignal', 'StopTimeout', 'Shell'],
  ImageConfig: ['ExposedPorts', 'Healthcheck', 'ArgsEscaped', 'NetworkDisabled', 'MacAddress', 'StopSignal', 'StopTimeout', 'Shell'],
  ContainerState: ['Health'],
  // Named volumes only.
  MountPoint: ['Name', 'Driver'],
  ImageInspect: ['Variant', 'OsVersion'],
  // Only with `?manifests=1`.
  ImageSummary: ['Manifests'],
  // Status is driver-specific; UsageData only in `system df`; ClusterVolume is swarm's.
  Volume: ['CreatedAt', 'Status', 'ClusterVolume', 'UsageData'],
  SystemInfo: ['KernelMemoryTCP', 'ProductLicense', 'DefaultAddressPools', 'Containerd'],
  SystemVersion: ['Experimental'],
  'SystemVersion.Components': ['Details'],
  ProcessConfig: ['privileged', 'user'],
};

/** Null where the description does not say so, but Docker sends it. */
const NULL_FROM_DOCKER: Record<string, string[]> = {
  // Unset: a nil *int64 (moby's adaptContainerSettings keeps it so).
  Resources: ['MemorySwappiness'],
  // A nil *int until the process has exited.
  ExecInspect: ['ExitCode'],
};

/** Values Docker sends that an enum of the description lacks. */
const ENUM_FROM_DOCKER: Record<string, string[]> = {
  // Docker's own `local` logging driver (moby daemon/logger/local) is missing from the list.
  'HostConfig.LogConfig.Type': ['local'],
};

/** Response schemas written inline in the description, named for the lists above. */
const INLINE_NAMES: Record<string, string> = {
  'GET /containers/{id}/json': 'ContainerInspect',
  'GET /exec/{id}/json': 'ExecInspect',
};

type Schema = Record<string, unknown>;

/** The parts of the Swagger 2.0 document read here. */
interface ApiDescription {
  paths: Record<string, Record<string, { produces?: string[]; responses: Operation['responses'] }>>;
  definitions: Record<string, Schema>;
}

export interface Operation {
  /** `GET /containers/{id}/json` */
  key: string;
  /** The media types the operation names itself (none: any). */
  produces: string[];
  responses: Record<string, { schema?: Schema }>;
}

export class EngineApiSpec {
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ method: string; path: string; pattern: RegExp; literal: number }>;

  private constructor(private readonly spec: ApiDescription) {
    const definitions = Object.fromEntries(Object.entries(spec.definitions).map(([name, schema]) => [name, tighten(schema, name)]));
    this.ajv.addSchema({ $id: 'engine', definitions });
    this.templates = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((method) => method !== 'parameters')
        .map((method) => ({
          method: method.toUpperCase(),
          path,
          pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
          literal: path.replace(/\{[^}]+\}/g, '').length,
        })),
    );
  }

  static async load(): Promise<EngineApiSpec> {
    return new EngineApiSpec(JSON.parse(await readFile(API_SPEC, 'utf8')) as ApiDescription);
  }

  /** The operation a request is for: the most literal path template that matches. */
  operation(method: string, path: string): Operation {
    const unversioned = path.replace(/^\/v1\.\d+/, '');
    const found = this.templates
      .filter((t) => t.method === method && t.pattern.test(unversioned))
      .sort((a, b) => b.literal - a.literal)[0];
    if (!found) throw new Error(`the Engine API has no ${method} ${unversioned}`);
    const op = this.spec.paths[found.path]![found.method.toLowerCase()]!;
    return { key: `${found.method} ${found.path}`, produces: op.produces ?? [], responses: op.responses };
  }

  /** The problems with a response to `op` (none: it is as the description says). */
  check(op: Operation, status: number, contentType: string | undefined, body: Buffer, upgraded = false): string[] {
    // A hijacked connection is switched with 101 even where the description lists only 200 (exec start).
    if (upgraded && status === 101) return this.checkType(op, contentType);
    // The description lists the errors each operation usually has, not all Docker sends (a 409 from top of a
    // stopped container): any error status is fine with an ErrorResponse body.
    const response = op.responses[String(status)] ?? op.responses.default ?? (status >= 400 ? { schema: { $ref: '#/definitions/ErrorResponse' } } : undefined);
    if (!response) return [`status ${status} is not one of ${Object.keys(op.responses).join(', ')}`];
    const schema = response.schema;
    const isJson = schema !== undefined && schema.type !== 'string';
    if (status === 204 || status === 304) return body.length === 0 ? [] : [`status ${status} with a body`];
    // An empty body needs no type (Docker sends none with an empty 200).
    if (!isJson) return body.length === 0 ? [] : this.checkType(op, contentType);
    if (mediaType(contentType ?? '') !== 'application/json') return [`Content-Type ${contentType} for a JSON body`];
    const values = jsonValues(body);
    if (values === undefined) return [`the body is not JSON: ${body.toString().slice(0, 200)}`];
    const validate = this.validator(op, String(status), schema);
    return values.flatMap((value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)));
  }

  /** The Content-Type of a body that is not JSON: one the operation names, if it names any. */
  private checkType(op: Operation, contentType: string | undefined): string[] {
    if (op.produces.length === 0 || op.produces.includes(mediaType(contentType ?? ''))) return [];
    return [`Content-Type ${contentType} is not one of ${op.produces.join(', ')}`];
  }

  private validator(op: Operation, status: string, schema: Schema): ValidateFunction {
    const key = `${op.key} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(tighten(schema, INLINE_NAMES[op.key] ?? op.key));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** A copy of `schema` with its refs into the description's definitions, nulls allowed and strict objects' properties required. */
function tighten(schema: Schema, name: string): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') out.$ref = (value as string).replace(/^#/, 'engine#');
    else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([prop, sub]) => {
          const tightened = tighten(sub, `${name}.${prop}`);
          return [prop, NULL_FROM_DOCKER[name]?.includes(prop) ? orNull(tightened) : tightened];
        }),
      );
    } else if (key === 'items') out.items = tighten(value as Schema, name);
    else if (key === 'additionalProperties' && typeof value === 'object') out.additionalProperties = tighten(value as Schema, `${name}.*`);
    else if (key === 'allOf') out.allOf = (value as Schema[]).map((part) => tighten(part, name));
    else out[key] = value;
  }
  if (Array.isArray(out.enum) && ENUM_FROM_DOCKER[name]) out.enum = [...(out.enum as unknown[]), ...ENUM_FROM_DOCKER[name]];
  if (out.type === 'array' || out.type === 'object' || schema['x-nullable'] === true) Object.assign(out, orNull(out));
  if (out.properties && isStrict(name)) {
    const omitted = OMITTED_BY_DOCKER[name] ?? [];
    out.required = Object.keys(out.properties).filter((prop) => !omitted.includes(prop));
  }
  return out;
}

/** A strict object, one nested in it, or an operation's own inline response (`GET /containers/{id}/top`). */
function isStrict(name: string): boolean {
  return STRICT_OBJECTS.has(name.split('.')[0]!) || /^[A-Z]+ \//.test(name);
}

function orNull(schema: Schema): Schema {
  if (schema.$ref) return { anyOf: [schema, { type: 'null' }] };
  const type = schema.type === undefined ? undefined : [schema.type].flat();
  const next: Schema = { ...schema };
  if (type && !type.includes('null')) next.type = [...type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) next.enum = [...(schema.enum as unknown[]), null];
  return next;
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** One JSON document, or a stream of them (JSON lines, as events, pulls and loads send). */
function jsonValues(body: Buffer): unknown[] | undefined {
  const text = body.toString('utf8').trim();
  try {
    return [JSON.parse(text)];
  } catch {
    try {
      return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
    } catch {
      return undefined;
    }
  }
}
