import { InvalidArgumentError } from '@berth/api';

/** Where the daemon listens: a unix socket path, or a TCP host and port. */
export interface HostAddress {
  socketPath?: string;
  host?: string;
  port?: number;
}

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';
/** Docker's default ports for plain TCP and for TLS. */
const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;

/** The host to use when none is given: BERTH_HOST, then DOCKER_HOST, then the default socket. */
export function defaultHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_HOST || env.DOCKER_HOST || DEFAULT_HOST;
}

/**
 * Parses a daemon address the way the docker CLI does: `unix:///path`, `tcp://host:port`
 * (also `http://`), or a bare `host:port`, which means TCP.
 */
export function parseHost(host: string = defaultHost(), options: { tls?: boolean } = {}): HostAddress {
  const separator = host.indexOf('://');
  const scheme = separator === -1 ? 'tcp' : host.slice(0, separator).toLowerCase();
  const rest = separator === -1 ? host : host.slice(separator + 3);
  switch (scheme) {
    case 'unix':
      return { socketPath: rest || new URL(DEFAULT_HOST).pathname };
    case 'tcp':
    case 'http':
      return parseTcpAddress(host, rest, options.tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT);
    default:
      throw new InvalidArgumentError(`invalid host "${host}": unsupported protocol ${scheme}`);
  }
}

function parseTcpAddress(original: string, address: string, defaultPort: number): HostAddress {
  let url: URL;
  try {
    url = new URL(`tcp://${address}`);
  } catch (cause) {
    throw new InvalidArgumentError(`invalid host "${original}"`, { cause });
  }
  if (!url.hostname) throw new InvalidArgumentError(`invalid host "${original}": no host name`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : defaultPort };
}
