import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import type { LibraryHandle } from 'koffi';

/**
 * The runtime adapter's native route: the system calls Node's core lacks to talk to conmon (its
 * SOCK_SEQPACKET attach socket) and to reap it, through koffi like the layer store's path calls. Every
 * call is synchronous and returns at once: the socket is non-blocking and waitpid is called with WNOHANG.
 */

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = 0o4000;
/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_SIZE = 108;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  connect: (fd: number, address: unknown, length: number) => number;
  close: (fd: number) => number;
  fcntl: (...args: unknown[]) => number;
  recv: (fd: number, buf: Buffer, length: number, flags: number) => number;
  prctl: (option: number, arg2: number, arg3: number, arg4: number, arg5: number) => number;
  waitpid: (pid: number, status: null, options: number) => number;
  errno: () => number;
}

let libc: Libc | undefined;
let libcLibrary: LibraryHandle | undefined;

/** The C library as koffi loaded it, for a function bound elsewhere (one load for the daemon). */
export function libcHandle(): LibraryHandle {
  if (libcLibrary) return libcLibrary;
  // koffi is CommonJS with a native addon: loaded through require, on first use.
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  libcLibrary = koffi.load('libc.so.6');
  return libcLibrary;
}

function load(): Libc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = libcHandle();
  // Registered by name for connect's prototype below.
  koffi.struct('berth_sockaddr_un', { sun_family: 'uint16', sun_path: koffi.array('uint8', SUN_PATH_SIZE) });
  libc = {
    socket: lib.func('int socket(int domain, int type, int protocol)') as Libc['socket'],
    connect: lib.func('int connect(int fd, const berth_sockaddr_un *address, uint32_t length)') as Libc['connect'],
    close: lib.func('int close(int fd)') as Libc['close'],
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)') as Libc['fcntl'],
    recv: lib.func('long recv(int fd, _Out_ uint8_t *buf, size_t length, int flags)') as Libc['recv'],
    prctl: lib.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)') as Libc['prctl'],
    waitpid: lib.func('int waitpid(int pid, void *status, int options)') as Libc['waitpid'],
    errno: () => koffi.errno(),
  };
  return libc;
}

const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

function errnoError(call: string, target: string): NodeJS.ErrnoException {
  const errno = load().errno();
  const code = ERRNO_NAMES.get(errno) ?? `E${errno}`;
  return Object.assign(new Error(`${code}: ${call} '${target}'`), { errno: -errno, code, syscall: call, path: target });
}

/**
 * A connected SOCK_SEQPACKET unix socket (conmon's attach socket), which Node's core cannot open.
 * `path` must fit sun_path (108 bytes): name long paths through `/proc/self/fd/<dir fd>/<name>`.
 */
export function connectSeqpacket(path: string): number {
  const c = load();
  const bytes = Buffer.from(path);
  if (bytes.length >= SUN_PATH_SIZE) throw Object.assign(new Error(`ENAMETOOLONG: socket path '${path}'`), { code: 'ENAMETOOLONG' });
  const fd = c.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw errnoError('socket', path);
  const sunPath = new Uint8Array(SUN_PATH_SIZE);
  sunPath.set(bytes);
  // Non-blocking: a unix socket connects at once, or fails with EAGAIN when the listener's backlog is full.
  if (c.connect(fd, { sun_family: AF_UNIX, sun_path: sunPath }, 2 + bytes.length + 1) < 0) {
    const err = errnoError('connect', path);
    c.close(fd);
    throw err;
  }
  return fd;
}

const MSG_DONTWAIT = 0x40;
const F_DUPFD_CLOEXEC = 1030;

/**
 * A second descriptor of an open socket, close-on-exec. Node closes a socket's descriptor on a read error;
 * through this one the packets queued behind the error can still be read (see drainSeqpacket).
 */
export function duplicateFd(fd: number): number {
  const c = load();
  const copy = c.fcntl(fd, F_DUPFD_CLOEXEC, 'int', 0);
  if (copy < 0) throw errnoError('fcntl', `fd ${fd}`);
  return copy;
}

/**
 * The packets still queued on a connected SOCK_SEQPACKET socket, read without waiting, until the end of the
 * stream or until none is queued. libuv, which reads such a socket for Node, takes a short read and a hang-up
 * for the end of the stream, leaving the packets queued behind the one it read; and a reset (the peer closed
 * with data of ours unread) is reported before the packets the peer sent earlier, which stay queued.
 */
export function drainSeqpacket(fd: number, onPacket: (packet: Buffer) => void): void {
  const c = load();
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = c.recv(fd, buf, buf.length, MSG_DONTWAIT);
    if (n <= 0) return;
    onPacket(Buffer.from(buf.subarray(0, n)));
  }
}

/**
 * The packets already queued on a connected SOCK_SEQPACKET socket, received without waiting one after another
 * into `buf` while it has room for `maxPacket` more bytes (a packet longer than the room left would be cut).
 * Returns views of `buf`: the caller copies what it keeps before `buf` is used again.
 */
export function receiveQueuedPackets(fd: number, buf: Buffer, maxPacket: number): Buffer[] {
  const c = load();
  const packets: Buffer[] = [];
  let offset = 0;
  while (buf.length - offset >= maxPacket) {
    const room = buf.subarray(offset);
    const n = c.recv(fd, room, room.length, MSG_DONTWAIT);
    if (n <= 0) break;
    packets.push(buf.subarray(offset, offset + n));
    offset += n;
  }
  return packets;
}

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

/**
 * Makes this process the child subreaper of its descendants (prctl PR_SET_CHILD_SUBREAPER): a process
 * orphaned below it, such as a daemonised conmon, becomes its child instead of init's, and is reaped by it.
 */
export function becomeChildSubreaper(): void {
  if (load().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) throw errnoError('prctl', 'PR_SET_CHILD_SUBREAPER');
}

export type ReapOutcome = 'reaped' | 'running' | 'not-a-child';

/** waitpid(pid, WNOHANG): collects `pid`'s exit status if it is an exited child of this process. */
export function reapIfExited(pid: number): ReapOutcome {
  const c = load();
  const result = c.waitpid(pid, null, WNOHANG);
  if (result > 0) return 'reaped';
  if (result === 0) return 'running';
  const err = errnoError('waitpid', String(pid));
  if (err.code === 'ECHILD') return 'not-a-child';
  throw err;
}

