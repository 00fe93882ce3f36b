import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export interface WebSocketClient {
  /** The payloads of the server's binary frames so far, as text. */
  received(): string;
  /** Sends `data` as one masked binary frame; resolves once the socket took it. */
  send(data: string | Buffer): Promise<void>;
  closed: Promise<void>;
}

/** The header of a masked client frame (RFC 6455 §5.2) carrying `length` bytes. */
function frameHeader(length: number, mask: Buffer): Buffer {
  if (length < 126) return Buffer.concat([Buffer.from([0x82, 0x80 | length]), mask]);
  if (length < 65536) return Buffer.concat([Buffer.from([0x82, 0x80 | 126, length >> 8, length & 0xff]), mask]);
  const header = Buffer.alloc(10);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return Buffer.concat([header, mask]);
}

/** A minimal RFC 6455 client over a unix socket: collects the payloads of the server's frames, sends masked ones. */
export function webSocketClient(socketPath: string, path: string): Promise<WebSocketClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let received = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({
          received: () => received,
          send(data) {
            const payload = Buffer.from(data);
            const mask = randomBytes(4);
            const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
            return new Promise((written) => socket.write(Buffer.concat([frameHeader(payload.length, mask), masked]), () => written()));
          },
          closed,
        });
      }
      // The server's frames here are small: output lines and the close frame.
      while (buffer.length >= 2 && buffer.length >= 2 + (buffer[1]! & 0x7f)) {
        const length = buffer[1]! & 0x7f;
        if ((buffer[0]! & 0x0f) === 0x2) received += buffer.subarray(2, 2 + length).toString();
        buffer = buffer.subarray(2 + length);
      }
    });
  });
}
