import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { InvalidArgumentError } from '@berth/api';
import type { AuthorizationRequest, AuthorizationResponse } from './authorization.js';

/** The largest JSON body a policy is shown (Docker 27's bound for its plugins: 1 MiB). */
export const AUTHORIZATION_BODY_LIMIT = 1024 * 1024;

// Credentials never leave the daemon, as dockerd keeps them from its plugins; Host is not among Go's
// request headers (it is r.Host), so dockerd's plugins never see it either.
const HIDDEN_HEADERS = new Set(['authorization', 'x-registry-auth', 'x-registry-config', 'host']);

/** A request as the server received it: what a policy decides on. */
export interface ReceivedRequest {
  method: string;
  /** As the client sent it (before the version prefix is taken off). */
  uri: string;
  /** Node's raw header list: names as the client spelled them, then values. */
  rawHeaders: readonly string[];
  socket: IncomingMessage['socket'];
}

/**
 * Describes a request for the policy. `body` is the JSON body the route will act on, whatever type the
 * client labelled it (so no label can hide it from the policy); it is shown unless it is a login's
 * credentials, and one beyond the bound is refused rather than passed unseen, so a large body cannot
 * slip a setting past the policy.
 */
export function describeRequest(request: ReceivedRequest, body: Buffer | undefined): AuthorizationRequest {
  const headers = flattenHeaders(request.rawHeaders);
  const described: AuthorizationRequest = {
    RequestMethod: request.method,
    RequestUri: request.uri,
    RequestHeaders: headers,
    ...tlsIdentity(request.socket),
  };
  if (body?.length && !isLogin(request.uri)) {
    if (body.length > AUTHORIZATION_BODY_LIMIT) {
      throw new InvalidArgumentError(`request body too large for authorization plugin: size exceeds ${AUTHORIZATION_BODY_LIMIT} bytes`);
    }
    described.RequestBody = body;
  }
  return described;
}

/** Describes a buffered response for the check after the handler. */
export function describeResponse(uri: string, statusCode: number, headers: Record<string, string | number | string[] | undefined>, body: Buffer | undefined): AuthorizationResponse {
  const flat = flattenHeaders(Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, String(v)]) : value === undefined ? [] : [name, String(value)])));
  const described: AuthorizationResponse = { ResponseStatusCode: statusCode, ResponseHeaders: flat };
  if (body?.length && !isLogin(uri) && isJson(flat['Content-Type'])) described.ResponseBody = body;
  return described;
}

/** `/auth` (and its versioned form): its bodies carry registry passwords, never shown. */
export function isLogin(uri: string): boolean {
  return /^\/(v\d[\d.]*\/)?auth/.test(uri.split('?', 1)[0]!);
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

/** One value per header (the last), names in Go's canonical form as dockerd's plugins see them, without Host or the credentials ones. */
export function flattenHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (HIDDEN_HEADERS.has(name.toLowerCase())) continue;
    flat[canonicalHeaderName(name)] = rawHeaders[i + 1]!;
  }
  return flat;
}

/** `content-type` → `Content-Type`, as Go's net/http spells header names. */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** The user a client certificate names (its subject's CN), as dockerd's authentication by TLS. */
function tlsIdentity(socket: IncomingMessage['socket']): Pick<AuthorizationRequest, 'User' | 'UserAuthNMethod' | 'RequestPeerCertificates'> {
  if (!(socket instanceof TLSSocket)) return {};
  const certificate = socket.getPeerCertificate();
  if (!certificate?.raw) return {};
  const cn = certificate.subject?.CN as string | string[] | undefined;
  return {
    User: (Array.isArray(cn) ? cn[0] : cn) ?? '',
    UserAuthNMethod: 'TLS',
    RequestPeerCertificates: [toPem(certificate.raw)],
  };
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
