import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import { rawHeaderLines } from './headers.js';
import { flushSinks, clientSink, socketClosed } from './client-sink.js';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Stdin frames larger than this are a misbehaving client, not input. */
const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

/** A server-side RFC 6455 connection carrying a raw byte stream each way (Docker's attach/ws). */
export interface WebSocketStream {
  /** What the client sends, as bytes; ends when it closes. Not read, it stops reading the client. */
  input: Readable;
  /** Sent to the client as binary frames, at the client's pace (see clientSink). */
  output: Writable;
  /** Resolves when the connection is gone. */
  closed: Promise<void>;
  /** Sends the close frame after the output written so far. */
  close(): void;
}

/** Answers the opening handshake; null (after a 400) when the request is not a WebSocket upgrade. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketStream | null {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${rawHeaderLines()}\r\n`);
  return new ServerWebSocket(socket);
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) {
    header[1] = length;
  } else if (length < 65536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

class ServerWebSocket implements WebSocketStream {
  readonly input = new PassThrough();
  readonly output: Writable;
  readonly closed: Promise<void>;
  private pending = Buffer.alloc(0);
  private closing = false;

  constructor(private readonly socket: Duplex) {
    this.output = clientSink(socket, (data) => frame(OPCODE_BINARY, data));
    this.closed = socketClosed(socket);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.input.end());
    socket.on('close', () => this.input.end());
    // Stdin backpressure: a full input (the container is not reading) pauses reading the client.
    this.input.on('drain', () => socket.resume());
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.input.end();
    flushSinks([this.output]).then(
      () => {
        if (this.socket.writable) this.socket.end(frame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])));
      },
      () => this.socket.destroy(),
    );
  }

  /** Client frames are always masked (RFC 6455 §5.1); fragments of data frames are passed on as they come. */
  private receive(chunk: Buffer): void {
    // Past our close frame nothing the client sends matters.
    if (this.closing) return;
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.pending.length < 2) return;
      const opcode = this.pending[0]! & 0x0f;
      const masked = (this.pending[1]! & 0x80) !== 0;
      let length = this.pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.pending.length < 4) return;
        length = this.pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.pending.length < 10) return;
        length = Number(this.pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (length > MAX_FRAME_PAYLOAD) {
        this.socket.destroy();
        return;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.pending.length < offset + length) return;
      const payload = Buffer.from(this.pending.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ this.pending[maskOffset + (i % 4)]!;
      this.pending = this.pending.subarray(offset + length);
      this.handle(opcode, payload);
    }
  }

  private handle(opcode: number, payload: Buffer): void {
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY || opcode === OPCODE_CONTINUATION) {
      if (!this.input.writableEnded && !this.input.write(payload)) this.socket.pause();
    } else if (opcode === OPCODE_PING && this.socket.writable) this.socket.write(frame(OPCODE_PONG, payload));
    else if (opcode === OPCODE_CLOSE) this.close();
  }
}
