import type { Socket } from 'node:net';
import type { Server } from 'node:tls';

// A TLS connection opens with a handshake record; anything else is not TLS.
const TLS_HANDSHAKE = 0x16;
// A connection that sends nothing is dropped after this long, as a TLS handshake would time out.
const FIRST_BYTE_TIMEOUT_MS = 10_000;

/**
 * Makes a TLS server answer a plain HTTP request with Go's 400 "Client sent an HTTP request to an
 * HTTPS server." instead of a failed handshake: each connection's first byte is peeked, and only a
 * TLS handshake goes on to the server's own connection handling.
 */
export function answerPlainHttp(server: Server): void {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('readable', function sniff() {
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        socket.once('readable', sniff);
        return;
      }
      socket.setTimeout(0);
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        for (const listener of listeners) listener.call(server, socket);
        return;
      }
      // The request is read and dropped, so the connection closes once the client closes its side.
      socket.resume();
      socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    });
  });
}
