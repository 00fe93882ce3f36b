import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import { InvalidArgumentError } from '@berth/api';
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

/** Answers the opening handshake; a request that is not a WebSocket upgrade is refused (400) with nothing written. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketStream {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
    throw new InvalidArgumentError('not a WebSocket handshake: it needs "Upgrade: websocket" and a Sec-WebSocket-Key header');
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
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** How many bytes the frame at the head of `chunks` needs before it can be taken (2 for a header). */
  private needed = 2;
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
    // Stdin paused for backpressure is over: reading on is how the client's close is seen.
    this.socket.resume();
    flushSinks([this.output]).then(
      () => {
        if (this.socket.writable) this.socket.end(frame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])));
      },
      () => this.socket.destroy(),
    );
  }

  /**
   * Client frames are always masked (RFC 6455 §5.1); fragments of data frames are passed on as they come.
   * Chunks are joined only once the frame they complete is whole: a large frame costs one copy, not one
   * per chunk.
   */
  private receive(chunk: Buffer): void {
    // Past our close frame nothing the client sends matters.
    if (this.closing) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return;
    let pending = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    for (;;) {
      const header = readFrameHeader(pending);
      if (typeof header !== 'number' && header.payloadLength > MAX_FRAME_PAYLOAD) {
        this.socket.destroy();
        return;
      }
      const needed = typeof header === 'number' ? header : header.headerLength + header.payloadLength;
      if (typeof header === 'number' || pending.length < needed) {
        this.chunks = pending.length ? [pending] : [];
        this.buffered = pending.length;
        this.needed = needed;
        return;
      }
      const payload = Buffer.from(pending.subarray(header.headerLength, needed));
      if (header.mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ header.mask[i % 4]!;
      pending = pending.subarray(needed);
      this.handle(header.opcode, payload);
    }
  }

  private handle(opcode: number, payload: Buffer): void {
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY || opcode === OPCODE_CONTINUATION) {
      if (!this.input.writableEnded && !this.input.write(payload)) this.socket.pause();
    } else if (opcode === OPCODE_PING && this.socket.writable) this.socket.write(frame(OPCODE_PONG, payload));
    else if (opcode === OPCODE_CLOSE) this.close();
  }
}

interface FrameHeader {
  opcode: number;
  mask?: Buffer;
  headerLength: number;
  payloadLength: number;
}

/** The header of the frame `data` starts with, or how many bytes it takes when `data` does not hold it all. */
function readFrameHeader(data: Buffer): FrameHeader | number {
  if (data.length < 2) return 2;
  const length = data[1]! & 0x7f;
  const masked = (data[1]! & 0x80) !== 0;
  const headerLength = 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (masked ? 4 : 0);
  if (data.length < headerLength) return headerLength;
  return {
    opcode: data[0]! & 0x0f,
    mask: masked ? data.subarray(headerLength - 4, headerLength) : undefined,
    headerLength,
    payloadLength: length === 126 ? data.readUInt16BE(2) : length === 127 ? Number(data.readBigUInt64BE(2)) : length,
  };
}
