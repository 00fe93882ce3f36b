import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { MAX_REQUEST_HEAD_BYTES } from '@berth/api';

/**
 * How long a client may take, per listener. No limit on a whole request: uploads (`docker load`, `cp`,
 * `import`, `build`) and hijacked streams last as long as they need, where Node's default (300 s) would cut
 * them with a 408. Headers must still arrive in time, against slowloris-style idle connections, and idle
 * keep-alive connections are closed a little after clients stop reusing them.
 */
const LISTENER_TIMEOUTS = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 } as const;

/**
 * A socket listener that hands requests and upgrades to the API server (which does not listen itself).
 * It reads request heads as large as dockerd does (Node's default, 16 KiB, would answer 431 to a path
 * naming a container with a long name). Only requests `upgrades` picks are upgrades; any other carrying
 * `Upgrade:` is an ordinary request. With `tls`, it serves HTTPS (a TCP listener).
 */
export function createListener(server: Pick<Server, 'emit'>, upgrades: (req: IncomingMessage) => boolean, tls?: TlsOptions): Server {
  // headersTimeout is explicit: Node derives its default from requestTimeout, which would make it 0 (none).
  const options = { ...LISTENER_TIMEOUTS, maxHeaderSize: MAX_REQUEST_HEAD_BYTES, shouldUpgradeCallback: upgrades };
  const handle = (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res);
  // Half-open like the plain listener (https servers default to closing): a client that closed its stdin still gets the output.
  const listener: Server = tls ? createHttpsServer({ ...options, ...tls, allowHalfOpen: true }, handle) : createHttpServer(options, handle);
  // Hijacked streams leave the HTTP server's bookkeeping yet hold up its close: closing all connections must end them too.
  const hijacked = new Set<Duplex>();
  listener.on('upgrade', (req, socket: Duplex, head) => {
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    server.emit('upgrade', req, socket, head);
  });
  const closeHttpConnections = listener.closeAllConnections.bind(listener);
  listener.closeAllConnections = () => {
    closeHttpConnections();
    for (const socket of hijacked) socket.destroy();
  };
  return listener;
}
