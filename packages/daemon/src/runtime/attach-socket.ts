import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import { ConflictError } from '@berth/api';
import { connectSeqpacket, drainSeqpacket, duplicateFd, receiveQueuedPackets } from './syscalls.js';
import type { AttachOptions, AttachSession, BundleSpec } from './runtime-driver.js';

/** conmon's pipe ids: the first byte of every packet it sends (conmon's stdpipe_t). */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads stdin packets into a 32 KiB buffer minus one; SEQPACKET drops what doesn't fit. */
const MAX_STDIN_PACKET = 32 * 1024 - 1;

/** Room for one packet from conmon, which reads its pipes 8 KiB at a time, with a wide margin. */
const MAX_OUTPUT_PACKET = 64 * 1024;
/** How much queued output one read of the socket takes at most before it is written out. */
const QUEUED_READ_BUDGET = 256 * 1024;
/** Shared by all sessions: it is filled and copied out within one synchronous call. */
let queuedReadBuffer: Buffer | undefined;

interface PipeHandle {
  open(fd: number): number;
}
type PipeBinding = { Pipe: new (type: number) => PipeHandle; constants: { SOCKET: number } };

/**
 * A connected SOCK_SEQPACKET descriptor as a Node socket. Node's public API refuses the socket type, but its
 * pipe handle reads and writes any stream-like descriptor, one packet per read, and, unlike the addon this
 * replaced, it can stop reading: a client that does not keep up then stalls conmon, and with it the
 * container, instead of growing the engine's memory (as dockerd does).
 */
function seqpacketSocket(fd: number): Socket {
  const { Pipe, constants: pipeConstants } = (process as unknown as { binding(name: 'pipe_wrap'): PipeBinding }).binding('pipe_wrap');
  const handle = new Pipe(pipeConstants.SOCKET);
  const status = handle.open(fd);
  if (status < 0) {
    closeSync(fd);
    throw new Error(`cannot open the attach socket (uv error ${status})`);
  }
  return new Socket({ handle, readable: true, writable: true } as unknown as ConstructorParameters<typeof Socket>[0]);
}

/** What connecting to conmon's attach socket fails with once conmon has exited. */
const CONMON_GONE = new Set(['ENOENT', 'ECONNREFUSED']);

/**
 * Connects to `<bundle>/attach`, conmon's SOCK_SEQPACKET attach socket. The path goes through
 * /proc/self/fd/<bundle dir fd>, as conmon binds it, so bundle paths longer than sun_path still work.
 */
export async function openAttachSocket(spec: BundleSpec, options: AttachOptions = {}): Promise<AttachSession> {
  const dirFd = openDirectory(spec);
  let fd: number;
  try {
    fd = connectSeqpacket(`/proc/self/fd/${dirFd}/attach`);
  } catch (err) {
    // Only a socket nobody listens on means conmon is gone; EAGAIN (a full backlog), EMFILE and the like are errors.
    if (!CONMON_GONE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    throw new ConflictError(`container ${spec.id} is not running: cannot attach`, { cause: err });
  } finally {
    closeSync(dirFd);
  }
  return attachOverSeqpacket(fd, options);
}

/**
 * An attach session on a connected SOCK_SEQPACKET descriptor speaking conmon's attach protocol, which it
 * takes over: a Node socket, and a second descriptor of it for what Node leaves unread (see ConmonAttachSession).
 */
export function attachOverSeqpacket(fd: number, options: AttachOptions = {}): AttachSession {
  let spareFd: number;
  try {
    spareFd = duplicateFd(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let socket: Socket;
  try {
    socket = seqpacketSocket(fd);
  } catch (err) {
    closeSync(spareFd);
    throw err;
  }
  return new ConmonAttachSession(socket, spareFd, options);
}

function openDirectory(spec: BundleSpec): number {
  try {
    return openSync(spec.bundleDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    throw new ConflictError(`container ${spec.id} has no runtime bundle: cannot attach`, { cause: err });
  }
}

class ConmonAttachSession implements AttachSession {
  readonly ended: Promise<void>;
  private closed = false;
  private stdinClosed = false;
  private markEnded!: () => void;
  /** Sinks that refused a write: reading from conmon resumes once all of them drained. */
  private readonly full = new Set<Writable>();

  constructor(
    private readonly socket: Socket,
    private readonly spareFd: number,
    private readonly options: AttachOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    // Node's socket stops short of conmon's last output: libuv takes a short read for the end of the stream,
    // and a reset (conmon closing with stdin we sent unread, as when the process exits without reading it
    // all) is reported ahead of the packets queued before it. What is left is read through the spare
    // descriptor (at most a socket buffer, delivered at once).
    const finish = (): void => {
      if (!this.closed) {
        const rest: Buffer[] = [];
        drainSeqpacket(spareFd, (packet) => rest.push(packet));
        this.writeOut(rest);
      }
      this.detach();
    };
    socket.once('end', finish);
    // An error is followed by 'close'.
    socket.once('close', finish);
    socket.on('error', () => undefined);
    socket.on('data', (packet: Buffer) => this.readOn(packet));
    if (options.stdin) this.pipeStdin(options.stdin);
  }

  /**
   * libuv reads one packet (a few KiB) per turn of the event loop: the packets already queued behind it are
   * read here at once through the spare descriptor, up to a budget, and each sink's run of them written as
   * one write. This is what lets a client receive a container's output at pipe speed; being synchronous
   * in libuv's read callback, it keeps the packets' order.
   */
  private readOn(packet: Buffer): void {
    if (this.closed) return;
    queuedReadBuffer ??= Buffer.allocUnsafe(QUEUED_READ_BUDGET + MAX_OUTPUT_PACKET);
    const queued = receiveQueuedPackets(this.spareFd, queuedReadBuffer, MAX_OUTPUT_PACKET);
    this.writeOut([packet, ...queued]);
  }

  /** Writes packets out in order, consecutive packets for one sink in one write (a copy: they may be views of a reused buffer). */
  private writeOut(packets: Buffer[]): void {
    let run: { sink: Writable; parts: Buffer[] } | null = null;
    const flush = (): void => {
      // Once detached (even by a sink's own write, as a client going away), whoever detached ends the sinks.
      const done = run;
      run = null;
      if (!done || this.closed) return;
      const [first] = done.parts;
      const data = done.parts.length === 1 && first!.buffer !== queuedReadBuffer?.buffer ? first! : Buffer.concat(done.parts);
      if (!done.sink.write(data)) this.waitFor(done.sink);
    };
    for (const packet of packets) {
      const sink = this.sinkOf(packet);
      if (!sink) continue;
      if (run && run.sink !== sink) flush();
      run ??= { sink, parts: [] };
      run.parts.push(packet.subarray(1));
    }
    flush();
  }

  private sinkOf(packet: Buffer): Writable | undefined {
    if (packet[0] === STDOUT_PIPE) return this.options.stdout;
    if (packet[0] === STDERR_PIPE) return this.options.stderr;
    return undefined;
  }

  private waitFor(sink: Writable): void {
    if (this.full.has(sink)) return;
    this.full.add(sink);
    this.socket.pause();
    const drained = (): void => {
      sink.off('drain', drained);
      sink.off('close', drained);
      this.full.delete(sink);
      if (this.full.size === 0 && !this.closed) this.socket.resume();
    };
    sink.on('drain', drained);
    sink.on('close', drained);
  }

  async write(data: Buffer): Promise<void> {
    // One packet per write, each waited for: queued writes would be merged into one packet too big to send.
    for (let offset = 0; offset < data.length; offset += MAX_STDIN_PACKET) {
      if (this.closed || this.stdinClosed) return;
      const packet = data.subarray(offset, Math.min(data.length, offset + MAX_STDIN_PACKET));
      const written = new Promise<void>((resolve) => this.socket.write(packet, () => resolve()));
      await Promise.race([written, this.ended]);
    }
  }

  closeStdin(): void {
    if (this.closed || this.stdinClosed) return;
    this.stdinClosed = true;
    this.socket.end();
  }

  detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    closeSync(this.spareFd);
    this.markEnded();
  }

  private pipeStdin(stdin: Readable): void {
    // Piped rather than iterated: an iterator destroys its source when it stops, and the source may hold the client's connection.
    const packets = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(chunk).then(() => done(), done);
      },
      final: (done) => {
        this.closeStdin();
        done();
      },
    });
    stdin.pipe(packets);
    void this.ended.then(() => stdin.unpipe(packets));
  }
}
