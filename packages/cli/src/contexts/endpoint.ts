import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { DEFAULT_HOST, defaultHost, type TlsOptions } from '@berth/client';
import { systemMessage } from '../go-errors.js';
import { DEFAULT_CONTEXT, type ContextStore, type StoredContext } from './context-store.js';

/** The global flags that choose the daemon and how to reach it, as docker's. */
export interface GlobalOptions {
  host?: string;
  context?: string;
  config?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/** Where a command's client connects. */
export interface Endpoint {
  host: string;
  tls?: TlsOptions;
}

/** The description docker lists for its implicit context. */
export const DEFAULT_CONTEXT_DESCRIPTION = 'Current DOCKER_HOST based configuration';

/** The CLI's configuration directory: --config, else DOCKER_CONFIG, else ~/.docker. */
export function configDir(globals: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return globals.config || env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/** A daemon address from the environment (BERTH_HOST, then DOCKER_HOST), which overrides the current context as in docker. */
export function hostFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.BERTH_HOST || env.DOCKER_HOST || undefined;
}

/**
 * The context a command uses, in docker's order: --context; `default` when -H or a host variable is set;
 * DOCKER_CONTEXT; the config file's currentContext; `default`.
 */
export function currentContextName(globals: GlobalOptions, env: NodeJS.ProcessEnv, currentContext: string | undefined): string {
  if (globals.host && globals.context) throw new InvalidArgumentError('conflicting options: cannot specify both --host and --context');
  if (globals.context) return globals.context;
  if (globals.host || hostFromEnv(env)) return DEFAULT_CONTEXT;
  return env.DOCKER_CONTEXT || currentContext || DEFAULT_CONTEXT;
}

/** The implicit context's endpoint: -H or the host variables, with TLS from the --tls flags and DOCKER_TLS* variables. */
export function defaultEndpoint(globals: GlobalOptions, env: NodeJS.ProcessEnv): Endpoint {
  const host = globals.host || defaultHost(env);
  const tls = tlsFromFlags(globals, env);
  return tls ? { host, tls } : { host };
}

/** A stored context's endpoint; TLS when it holds TLS material or skips verification, as docker's. */
export function contextEndpoint(context: StoredContext): Endpoint {
  const { Host, SkipTLSVerify } = context.meta.Endpoints.docker;
  const host = Host || DEFAULT_HOST;
  const { 'ca.pem': ca, 'cert.pem': cert, 'key.pem': key } = context.tls;
  if (!ca && !cert && !key && !SkipTLSVerify) return { host };
  return { host, tls: { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }), verify: !SkipTLSVerify } };
}

/** The endpoint of the named context, the implicit one included. */
export function endpointOf(name: string, store: ContextStore, globals: GlobalOptions, env: NodeJS.ProcessEnv): Endpoint {
  return name === DEFAULT_CONTEXT ? defaultEndpoint(globals, env) : contextEndpoint(store.get(name));
}

/**
 * docker's TLS flags: --tlsverify (or DOCKER_TLS_VERIFY) checks the daemon's certificate and implies --tls
 * (or DOCKER_TLS), which only encrypts. The files default to DOCKER_CERT_PATH, else the config directory
 * (docker resolves it before flags are parsed, so --config does not move it). As docker, the CA file must
 * exist even when it is not used to verify; a default client certificate or key that does not exist is left
 * out, a named one must exist.
 */
function tlsFromFlags(globals: GlobalOptions, env: NodeJS.ProcessEnv): TlsOptions | undefined {
  const verify = globals.tlsverify ?? Boolean(env.DOCKER_TLS_VERIFY);
  if (!globals.tls && globals.tlsverify === undefined && !verify && !env.DOCKER_TLS) return undefined;
  const certPath = env.DOCKER_CERT_PATH || configDir({}, env);
  const ca = globals.tlscacert ?? join(certPath, 'ca.pem');
  const cert = globals.tlscert ?? optionalDefault(join(certPath, 'cert.pem'));
  const key = globals.tlskey ?? optionalDefault(join(certPath, 'key.pem'));
  return { ca: readPem(ca), ...(cert && { cert: readPem(cert) }), ...(key && { key: readPem(key) }), verify };
}

function optionalDefault(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/** A TLS file, or the error docker gives for it (Go's `open PATH: reason`). */
function readPem(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidArgumentError(`open ${path}: ${systemMessage(err)}`, { cause: err });
  }
}
