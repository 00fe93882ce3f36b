import type { Agent, ClientRequest, IncomingMessage, OutgoingHttpHeaders, request } from 'node:http';
import type { Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { API_VERSION, InternalError } from '@berth/api';
import { negotiateApiVersion } from './api-version.js';
import { connectionError } from './daemon-errors.js';
import type { HostAddress } from './host.js';
import { queryString, type QueryValue } from './query.js';
import { errorFromResponse, isErrorStatus, readBody } from './response.js';

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON-serialisable value, or a stream sent as-is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  /** Paths like /_ping are served without a version prefix. */
  unversioned?: boolean;
  /** Extra request headers (`X-Registry-Auth`). */
  headers?: OutgoingHttpHeaders;
  /** Aborting it closes the connection: how a caller leaves an endless stream (stats, events). */
  signal?: AbortSignal;
}

export interface Hijacked {
  socket: Socket;
  response: IncomingMessage;
  apiVersion: string;
}

/** TLS to the daemon, as the docker CLI's `--tls` (encrypt only) and `--tlsverify` (check the daemon's certificate). */
export interface TlsOptions {
  /** PEM certificates the daemon's must chain to; without them, the system's. */
  ca?: string | Buffer;
  /** The client's PEM certificate and key, for a daemon that verifies its clients. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Check the daemon's certificate and name (`--tlsverify`); false encrypts without checking (`--tls`). */
  verify: boolean;
}

/** Opens a connection to the daemon some other way than a socket or TCP (the docker CLI's ssh:// helper). */
export type Dialer = () => Duplex;

/**
 * An agent whose connections come from a dialer. Pooling calls socket methods a plain duplex lacks
 * (keep-alive, ref/unref); they mean nothing for a pipe to a helper process, so they are no-ops there.
 * The class is made on use, as node:http is loaded only then.
 */
function dialerAgent(dial: Dialer, keepAlive: boolean): Agent {
  class DialerAgent extends process.getBuiltinModule('node:http').Agent {
    override createConnection(): Socket {
      return asSocket(dial()) as Socket;
    }
  }
  return new DialerAgent({ keepAlive });
}

function asSocket(stream: Duplex): Duplex {
  const socket = stream as Duplex & Partial<Record<'setKeepAlive' | 'setNoDelay' | 'setTimeout' | 'ref' | 'unref', () => Duplex>>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref'] as const) socket[method] ??= () => stream;
  return stream;
}

/** HTTP (or HTTPS, or HTTP over a dialed stream) to the daemon: addressing, API version prefix and negotiation, error mapping, hijacking. */
export class Transport {
  private readonly agent: Agent;
  private readonly send: typeof request;
  private negotiated: Promise<string> | undefined;

  constructor(
    private readonly address: HostAddress,
    private readonly hostLabel: string,
    private readonly fixedApiVersion?: string,
    private readonly tls?: TlsOptions,
    private readonly dial?: Dialer,
  ) {
    // process.getBuiltinModule, not `import … from 'node:http'`: that builds node:http's ESM facade, which reads every
    // export, and one loads Node's bundled undici (a third of a CLI command's start-up); HTTPS (TLS, crypto) loads
    // only for a daemon spoken to over TLS.
    if (dial) {
      this.agent = dialerAgent(dial, true);
      this.send = process.getBuiltinModule('node:http').request;
    } else if (tls) {
      const https = process.getBuiltinModule('node:https');
      this.agent = new https.Agent({ keepAlive: true, ...tlsSettings(tls) });
      this.send = https.request;
    } else {
      const http = process.getBuiltinModule('node:http');
      this.agent = new http.Agent({ keepAlive: true });
      this.send = http.request;
    }
  }

  /** The API version in use: the fixed one, else ours lowered to the server's (one ping, shared). */
  apiVersion(): Promise<string> {
    if (this.fixedApiVersion) return Promise.resolve(this.fixedApiVersion);
    this.negotiated ??= this.request('GET', '/_ping', { unversioned: true }).then(async (response) => {
      await readBody(response);
      return negotiateApiVersion(API_VERSION, headerValue(response, 'api-version'));
    });
    this.negotiated.catch(() => {
      this.negotiated = undefined;
    });
    return this.negotiated;
  }

  /** Sends a request; resolves with the response once its headers arrived, rejects on error statuses. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const { headers, payload } = encodeBody(options);
    // The stream may fail (e.g. a missing file) while the version is negotiated; pipeline reports it later.
    if (payload instanceof Readable) payload.on('error', () => undefined);
    const req = this.open(method, await this.fullPath(path, options), headers, true, options.signal);
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.on('error', (err) => reject(this.describeFailure(err)));
    });
    const sent = this.sendBody(req, payload);
    const [res] = await Promise.all([response, sent]);
    if (isErrorStatus(res.statusCode)) throw await errorFromResponse(res);
    return res;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const body = await readBody(await this.request(method, path, options));
    if (body.length === 0) return undefined as T;
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** Sends a request and discards the (empty) response body. */
  async call(method: string, path: string, options: RequestOptions = {}): Promise<void> {
    await readBody(await this.request(method, path, options));
  }

  /**
   * An HTTP upgrade (`Connection: Upgrade`, `Upgrade: tcp`, answered by 101): after it the
   * connection is a raw duplex stream owned by the caller, so it never goes back to the pool.
   */
  async hijack(method: string, path: string, options: RequestOptions = {}): Promise<Hijacked> {
    const apiVersion = await this.apiVersion();
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const req = this.open(method, `/v${apiVersion}${path}${queryString(options.query)}`, {
      Connection: 'Upgrade',
      Upgrade: 'tcp',
      ...(payload ? { 'Content-Type': 'application/json' } : {}),
      'Content-Length': payload?.length ?? 0,
    }, false);
    return new Promise<Hijacked>((resolve, reject) => {
      req.once('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
        if (head.length) socket.unshift(head);
        resolve({ socket, response, apiVersion });
      });
      req.once('response', (response: IncomingMessage) => {
        if (isErrorStatus(response.statusCode)) {
          errorFromResponse(response).then(reject, reject);
          return;
        }
        response.resume();
        reject(new InternalError(`${path}: the daemon answered ${response.statusCode} instead of switching protocols`));
      });
      req.on('error', (err) => reject(this.describeFailure(err)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private async fullPath(path: string, options: RequestOptions): Promise<string> {
    const prefix = options.unversioned ? '' : `/v${await this.apiVersion()}`;
    return `${prefix}${path}${queryString(options.query)}`;
  }

  private open(method: string, path: string, headers: OutgoingHttpHeaders, pooled = true, signal?: AbortSignal): ClientRequest {
    const dial = this.dial;
    const named = Boolean(this.address.socketPath) || Boolean(dial);
    return this.send({
      ...(signal && { signal }),
      ...(this.address.socketPath ? { socketPath: this.address.socketPath } : { host: this.address.host, port: this.address.port }),
      // The Host header must be a valid name even on a unix socket or a dialed stream; docker sends "api.moby.localhost".
      // An empty TLS server name spares the agent deriving one from it (an IPv6 check whose regular expression takes
      // ms to compile).
      ...(named ? { setHost: false, servername: '', headers: { Host: 'api.moby.localhost', ...headers } } : { headers }),
      method,
      path,
      // An unpooled (hijacked) connection still needs what the agent carries: the TLS settings, or the dialer.
      ...(pooled ? { agent: this.agent } : dial ? { agent: dialerAgent(dial, false) } : { agent: false, ...(this.tls && tlsSettings(this.tls)) }),
    });
  }

  private async sendBody(req: ClientRequest, payload: Buffer | Readable | undefined): Promise<void> {
    if (payload instanceof Readable) {
      await pipeline(payload, req).catch((err: unknown) => {
        req.destroy(err as Error);
        throw err;
      });
      return;
    }
    req.end(payload);
  }

  /** Connection failures get docker's "Cannot connect" message; other errors pass through. */
  private describeFailure(err: Error): Error {
    return (err as NodeJS.ErrnoException).syscall === 'connect' ? connectionError(this.hostLabel, err) : err;
  }
}

function tlsSettings(tls: TlsOptions): { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; rejectUnauthorized: boolean } {
  return { ...(tls.ca && { ca: tls.ca }), ...(tls.cert && { cert: tls.cert }), ...(tls.key && { key: tls.key }), rejectUnauthorized: tls.verify };
}

function encodeBody(options: RequestOptions): { headers: OutgoingHttpHeaders; payload: Buffer | Readable | undefined } {
  const encoded = encodePayload(options);
  return { headers: { ...options.headers, ...encoded.headers }, payload: encoded.payload };
}

function encodePayload(options: RequestOptions): { headers: OutgoingHttpHeaders; payload: Buffer | Readable | undefined } {
  const { body } = options;
  if (body instanceof Readable) {
    return { headers: { 'Content-Type': options.contentType ?? 'application/octet-stream' }, payload: body };
  }
  if (body === undefined) return { headers: { 'Content-Length': 0 }, payload: undefined };
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  return { headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length }, payload };
}

function headerValue(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
