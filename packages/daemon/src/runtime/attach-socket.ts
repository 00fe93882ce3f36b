import { closeSync, constants, openSync } from 'node:fs';
import { SeqpacketSocket } from 'node-unix-socket';
import { ConflictError } from '@berth/api';
import type { AttachOptions, AttachSession, BundleSpec } from './runtime-driver.js';

/** conmon's pipe ids: the first byte of every packet it sends (conmon's stdpipe_t). */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads stdin packets into a 32 KiB buffer minus one; SEQPACKET drops what doesn't fit. */
const MAX_STDIN_PACKET = 32 * 1024 - 1;

/**
 * Connects to `<bundle>/attach`, conmon's SOCK_SEQPACKET attach socket. The path goes through
 * /proc/self/fd/<bundle dir fd>, as conmon binds it, so bundle paths longer than sun_path still work.
 */
export async function openAttachSocket(spec: BundleSpec, options: AttachOptions = {}): Promise<AttachSession> {
  const dirFd = openDirectory(spec);
  const socket = new SeqpacketSocket();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(`/proc/self/fd/${dirFd}/attach`, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.destroy();
    throw new ConflictError(`container ${spec.id} is not running: cannot attach`, { cause: err });
  } finally {
    closeSync(dirFd);
  }
  return new ConmonAttachSession(socket, options);
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

  constructor(
    private readonly socket: SeqpacketSocket,
    options: AttachOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    socket.once('end', () => this.detach());
    socket.once('close', () => this.detach());
    // An error is followed by 'close': the session just ends.
    socket.on('error', () => undefined);
    socket.on('data', (packet: Buffer) => {
      const payload = packet.subarray(1);
      if (packet[0] === STDOUT_PIPE) options.onStdout?.(payload);
      else if (packet[0] === STDERR_PIPE) options.onStderr?.(payload);
    });
    if (options.stdin) this.pipeStdin(options.stdin);
  }

  async write(data: Buffer): Promise<void> {
    for (let offset = 0; offset < data.length; offset += MAX_STDIN_PACKET) {
      if (this.closed || this.stdinClosed) return;
      const length = Math.min(MAX_STDIN_PACKET, data.length - offset);
      const written = new Promise<void>((resolve) => this.socket.write(data, offset, length, resolve));
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
    this.markEnded();
  }

  private pipeStdin(stdin: NodeJS.ReadableStream): void {
    const pump = async (): Promise<void> => {
      for await (const chunk of stdin) {
        if (this.closed) return;
        await this.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      this.closeStdin();
    };
    pump().catch(() => this.closeStdin());
  }
}
