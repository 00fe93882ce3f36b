import type { DistributionInspect, ProgressMessage } from '@berth/api';
import { readProgress } from '../progress-stream.js';
import { pathParam } from '../query.js';
import type { Transport } from '../transport.js';

/** Credentials for a registry, sent as `X-Registry-Auth`. */
export interface RegistryCredentials {
  username: string;
  password: string;
  serveraddress?: string;
}

export interface PullOptions {
  /** A tag or a digest; none pulls every tag. */
  tag?: string;
  platform?: string;
  auth?: RegistryCredentials;
}

export interface PushOptions {
  /** One tag; none pushes every tag of the repository. */
  tag?: string;
  auth?: RegistryCredentials;
}

/**
 * A JSON value as the docker CLI encodes `X-Registry-Auth` and `X-Registry-Config`: base64url with its
 * padding (Go's base64.URLEncoding), which dockerd's decoder requires.
 */
export function registryHeaderValue(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** `X-Registry-Auth`: the credentials; `{}` when there are none, as the docker CLI sends. */
function authHeader(auth: RegistryCredentials | undefined): Record<string, string> {
  return { 'X-Registry-Auth': registryHeaderValue(auth ?? {}) };
}

/** `POST /images/create?fromImage=`: the pull's progress messages; an error line is thrown. */
export async function* pullImage(transport: Transport, image: string, options: PullOptions): AsyncGenerator<ProgressMessage> {
  const response = await transport.request('POST', '/images/create', {
    query: { fromImage: image, tag: options.tag, platform: options.platform },
    headers: authHeader(options.auth),
  });
  yield* readProgress(response);
}

/** `POST /images/{name}/push`: the push's progress messages; an error line is thrown. */
export async function* pushImage(transport: Transport, name: string, options: PushOptions): AsyncGenerator<ProgressMessage> {
  const response = await transport.request('POST', `/images/${encodeURIComponent(name)}/push`, { query: { tag: options.tag }, headers: authHeader(options.auth) });
  yield* readProgress(response);
}

/** `POST /auth`: the daemon checks the credentials against the registry. */
export function login(transport: Transport, auth: RegistryCredentials): Promise<{ Status: string; IdentityToken?: string }> {
  return transport.json('POST', '/auth', { body: auth });
}

/** `GET /distribution/{name}/json`: what the registry has for the reference (its descriptor and platforms), asked through the daemon. */
export function distributionInspect(transport: Transport, name: string, auth?: RegistryCredentials): Promise<DistributionInspect> {
  return transport.json('GET', `/distribution/${pathParam(name)}/json`, { headers: authHeader(auth) });
}
