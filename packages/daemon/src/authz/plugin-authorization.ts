import { ForbiddenError, InternalError, InvalidArgumentError } from '@berth/api';
import type { AuthorizationPolicy, AuthorizationRequest, AuthorizationResponse } from './authorization.js';
import type { PluginCall } from './plugin-client.js';

/** The interface an authorization plugin declares in its activation answer. */
const AUTHZ_INTERFACE = 'authz';
/**
 * How long berthd's start waits for a plugin's activation answer. dockerd waits without bound for a
 * plugin that accepts and never answers; a start that hangs silently is worse than one that fails.
 */
export const ACTIVATION_TIMEOUT_MS = 30_000;

/** One activated plugin: its name and how to call it. */
export interface AuthorizationPlugin {
  name: string;
  call: PluginCall;
}

/**
 * Docker's authorization plugins as the policy: each plugin is asked in the order given, the first
 * refusal wins (403 "authorization denied by plugin NAME: MSG"), and a plugin that cannot answer fails
 * the request (500 "plugin NAME failed with error: …"), as dockerd does.
 */
export class PluginAuthorization implements AuthorizationPolicy {
  /** The plugins asked, in order. */
  readonly names: readonly string[];

  constructor(private readonly plugins: readonly AuthorizationPlugin[]) {
    this.names = plugins.map((plugin) => plugin.name);
  }

  authorizeRequest(request: AuthorizationRequest): Promise<void> {
    return this.ask('AuthZPlugin.AuthZReq', wireRequest(request));
  }

  authorizeResponse(request: AuthorizationRequest, response: AuthorizationResponse): Promise<void> {
    return this.ask('AuthZPlugin.AuthZRes', { ...wireRequest(request), ...wireResponse(response) });
  }

  private async ask(method: string, payload: object): Promise<void> {
    for (const plugin of this.plugins) {
      let answer: unknown;
      try {
        answer = await plugin.call(method, payload);
      } catch (err) {
        throw new InternalError(`plugin ${plugin.name} failed with error: ${(err as Error).message}`, { cause: err });
      }
      const { Allow: allow, Msg: message } = (answer ?? {}) as { Allow?: unknown; Msg?: unknown };
      if (allow !== true) throw new ForbiddenError(`authorization denied by plugin ${plugin.name}: ${typeof message === 'string' ? message : ''}`);
    }
  }
}

/**
 * Activates each named plugin once (a name given twice is asked once, as dockerd dedupes), refusing one
 * that does not declare the `authz` interface or does not answer within `activationTimeoutMs`: the
 * start fails rather than serve unguarded.
 */
export async function activatePlugins(names: readonly string[], connect: (name: string) => Promise<PluginCall>, activationTimeoutMs = ACTIVATION_TIMEOUT_MS): Promise<PluginAuthorization> {
  const plugins: AuthorizationPlugin[] = [];
  for (const name of new Set(names)) {
    let call: PluginCall;
    let manifest: unknown;
    try {
      call = await connect(name);
      manifest = await call('Plugin.Activate', undefined, { timeoutMs: activationTimeoutMs });
    } catch (err) {
      throw new InvalidArgumentError(`failed to validate authorization plugin ${name}: ${(err as Error).message}`, { cause: err });
    }
    const implemented = (manifest as { Implements?: unknown } | null)?.Implements;
    if (!Array.isArray(implemented) || !implemented.includes(AUTHZ_INTERFACE)) {
      throw new InvalidArgumentError(`failed to validate authorization plugin: Plugin does not implement the requested driver: plugin="${name}", requested implementation="${AUTHZ_INTERFACE}"`);
    }
    plugins.push({ name, call });
  }
  return new PluginAuthorization(plugins);
}

/**
 * Docker's JSON for the request: bodies base64 (Go's []byte), empty fields left out (Go's omitempty).
 * Each peer certificate is base64 of its PEM text, as moby marshals its PeerCertificate (the PEM as a
 * []byte) and Go plugins (go-plugins-helpers) decode it.
 */
function wireRequest(request: AuthorizationRequest): Record<string, unknown> {
  return omitEmpty({
    ...request,
    RequestBody: request.RequestBody?.toString('base64'),
    RequestPeerCertificates: request.RequestPeerCertificates?.map((pem) => Buffer.from(pem, 'utf8').toString('base64')),
  });
}

function wireResponse(response: AuthorizationResponse): Record<string, unknown> {
  return omitEmpty({ ...response, ResponseBody: response.ResponseBody?.toString('base64') });
}

function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== '' && value !== 0 && !(Array.isArray(value) && value.length === 0)));
}
