/**
 * The decisions of the example authorization plugin (berth-authz-example): no privileged containers or
 * execs, no host paths mounted into containers; named volumes, tmpfs and everything else stay allowed.
 * Pure: it sees the request as an authorization plugin receives it (Docker's JSON, body in base64).
 */

import { RESTRICTED_NAME } from './restricted-name.js';

/** The fields of an AuthZReq the example looks at. */
export interface PluginRequest {
  RequestMethod?: string;
  RequestUri?: string;
  /** Base64 of the JSON body, as dockerd sends a []byte. */
  RequestBody?: string;
  User?: string;
}

/** A plugin's answer, as Docker's protocol names its fields. */
export interface PluginVerdict {
  Allow: boolean;
  Msg?: string;
}

const API_VERSION_SEGMENT = /^v\d+(?:\.\d+)*$/;

const ALLOW: PluginVerdict = { Allow: true };

export function decideExample(request: PluginRequest): PluginVerdict {
  if (request.RequestMethod !== 'POST') return ALLOW;
  const segments = pathSegments(request.RequestUri ?? '');
  if (!segments) return deny('the request path is not valid percent-encoding');
  const path = segments.join('/');
  const isContainerCreate = path === 'containers/create';
  const isExecCreate = segments.length === 3 && segments[0] === 'containers' && segments[2] === 'exec';
  const isVolumeCreate = path === 'volumes/create';
  if (!isContainerCreate && !isExecCreate && !isVolumeCreate) return ALLOW;
  if (!request.RequestBody) return ALLOW;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(request.RequestBody, 'base64').toString('utf8'));
  } catch {
    return deny('the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null) return ALLOW;
  const refusal = isContainerCreate ? containerRefusal(body) : isExecCreate ? execRefusal(body) : volumeRefusal(body);
  return refusal ? deny(refusal) : ALLOW;
}

/**
 * The API path's segments as the daemon's router sees them: cut at the query or a fragment, each segment
 * percent-decoded, empty ones and the version prefix dropped. `undefined` when a segment does not decode.
 * Matching the raw URI instead would let `/containers/%63reate` or `/containers/create#x` slip by.
 */
function pathSegments(uri: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of uri.split(/[?#]/, 1)[0]!.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment !== '') segments.push(segment);
  }
  if (segments.length > 0 && API_VERSION_SEGMENT.test(segments[0]!)) segments.shift();
  return segments;
}

function deny(message: string): PluginVerdict {
  return { Allow: false, Msg: message };
}

function containerRefusal(body: object): string | undefined {
  const hostConfig = (body as { HostConfig?: unknown }).HostConfig;
  if (typeof hostConfig !== 'object' || hostConfig === null) return undefined;
  const { Privileged: privileged, Binds: binds, Mounts: mounts } = hostConfig as { Privileged?: unknown; Binds?: unknown; Mounts?: unknown };
  if (privileged === true) return 'privileged containers are not allowed';
  for (const bind of Array.isArray(binds) ? binds : []) {
    const source = hostSourceOfBind(bind);
    if (source !== undefined) return `host bind mounts are not allowed: ${source}`;
  }
  for (const mount of Array.isArray(mounts) ? mounts : []) {
    const refusal = mountRefusal(mount);
    if (refusal) return refusal;
  }
  return undefined;
}

/** The host path a `Binds` entry mounts, if it does: `src:dst[:opts]` whose source is not a volume name. */
function hostSourceOfBind(bind: unknown): string | undefined {
  if (typeof bind !== 'string') return undefined;
  const parts = bind.split(':');
  // A lone path is an anonymous volume at that place in the container.
  if (parts.length < 2) return undefined;
  const source = parts[0]!;
  // A named volume's name, as dockerd validates it; any other source of a bind is a path on the host.
  return RESTRICTED_NAME.test(source) ? undefined : source;
}

function mountRefusal(mount: unknown): string | undefined {
  if (typeof mount !== 'object' || mount === null) return undefined;
  const { Type: type, Source: source, VolumeOptions: options } = mount as { Type?: unknown; Source?: unknown; VolumeOptions?: unknown };
  if (typeof type === 'string' && type.toLowerCase() === 'bind') return `host bind mounts are not allowed: ${String(source ?? '')}`;
  const driverOptions = (options as { DriverConfig?: { Options?: unknown } } | undefined)?.DriverConfig?.Options;
  return hostBackedVolume(driverOptions) ? 'volumes backed by a host path or device are not allowed' : undefined;
}

function execRefusal(body: object): string | undefined {
  return (body as { Privileged?: unknown }).Privileged === true ? 'privileged exec is not allowed' : undefined;
}

function volumeRefusal(body: object): string | undefined {
  return hostBackedVolume((body as { DriverOpts?: unknown }).DriverOpts) ? 'volumes backed by a host path or device are not allowed' : undefined;
}

/** The local driver's options that mount a host path or device (`-o device=/etc -o o=bind`) instead of a fresh directory. */
function hostBackedVolume(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  const device = (options as Record<string, unknown>).device;
  return typeof device === 'string' && device !== '';
}
