import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import { ConflictError } from '@berth/api';
import { connectSeqpacket, drainSeqpacket, duplicateFd } from './syscalls.js';
import type { AttachOptions, AttachSession, BundleSpec } from './runtime-driver.js';

/** conmon's pipe ids: the first byte of every packet it sends (conmon's stdpipe_t). */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads stdin packets into a 32 KiB buffer minus one; SEQPACKET drops what doesn't fit. */
const MAX_STDIN_PACKET = 32 * 1024 - 1;

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
  let connection: { socket: Socket; spareFd: number };
  try {
    connection = connect(`/proc/self/fd/${dirFd}/attach`);
  } catch (err) {
    // Only a socket nobody listens on means conmon is gone; EAGAIN (a full backlog), EMFILE and the like are errors.
    if (!CONMON_GONE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    throw new ConflictError(`container ${spec.id} is not running: cannot attach`, { cause: err });
  } finally {
    closeSync(dirFd);
  }
  return new ConmonAttachSession(connection.socket, connection.spareFd, options);
}

/** The connection as a Node socket, and a second descriptor of it for what Node leaves unread (see ConmonAttachSession). */
function connect(path: string): { socket: Socket; spareFd: number } {
  const fd = connectSeqpacket(path);
  let spareFd: number;
  try {
    spareFd = duplicateFd(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  try {
    return { socket: seqpacketSocket(fd), spareFd };
  } catch (err) {
    closeSync(spareFd);
    throw err;
  }
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
  /** Packets for one sink read in this turn of the event loop, written to it together. */
  private batch: { sink: Writable; packets: Buffer[] } | null = null;
  private flushScheduled = false;

  constructor(
    private readonly socket: Socket,
    private readonly spareFd: number,
    options: AttachOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    const deliver = (packet: Buffer): void => {
      const sink = packet[0] === STDOUT_PIPE ? options.stdout : packet[0] === STDERR_PIPE ? options.stderr : undefined;
      if (sink) this.add(sink, packet.subarray(1));
    };
    // Node's socket stops short of conmon's last output: libuv takes a short read for the end of the stream,
    // and a reset (conmon closing with stdin we sent unread, as when the process exits without reading it
    // all) is reported ahead of the packets queued before it. What is left is read through the spare
    // descriptor (at most a socket buffer, delivered at once).
    const finish = (): void => {
      if (!this.closed) drainSeqpacket(spareFd, deliver);
      this.flush();
      this.detach();
    };
    socket.once('end', finish);
    // An error is followed by 'close'.
    socket.once('close', finish);
    socket.on('error', () => undefined);
    socket.on('data', deliver);
    if (options.stdin) this.pipeStdin(options.stdin);
  }

  /**
   * conmon sends at most a few KiB per packet, and libuv reads many in one turn: one write per turn instead of
   * one per packet is what lets a client receive a container's output at pipe speed.
   */
  private add(sink: Writable, data: Buffer): void {
    if (this.batch && this.batch.sink !== sink) this.flush();
    this.batch ??= { sink, packets: [] };
    this.batch.packets.push(data);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    const data = batch.packets.length === 1 ? batch.packets[0]! : Buffer.concat(batch.packets);
    if (!batch.sink.write(data)) this.waitFor(batch.sink);
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
