import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = 0o4000;

interface PairLibc {
  socketpair: (domain: number, type: number, protocol: number, fds: Int32Array) => number;
  send: (fd: number, buf: Buffer, length: number, flags: number) => number;
}

let libc: PairLibc | undefined;

function load(): PairLibc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  libc = {
    socketpair: lib.func('int socketpair(int domain, int type, int protocol, _Out_ int *fds)') as PairLibc['socketpair'],
    send: lib.func('long send(int fd, const uint8_t *buf, size_t length, int flags)') as PairLibc['send'],
  };
  return libc;
}

/**
 * A connected pair of SOCK_SEQPACKET sockets, as conmon's attach socket and its client: `ours` is handed to the
 * code under test, `peer` plays conmon (send packets, then close it).
 */
export function seqpacketPair(): { ours: number; peer: number; send(packet: Buffer): void; closePeer(): void } {
  const c = load();
  const fds = new Int32Array(2);
  if (c.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0) throw new Error('socketpair failed');
  const [ours, peer] = [fds[0]!, fds[1]!];
  return {
    ours,
    peer,
    send(packet) {
      if (c.send(peer, packet, packet.length, 0) !== packet.length) throw new Error('the packet was not queued whole');
    },
    closePeer() {
      closeSync(peer);
    },
  };
}
