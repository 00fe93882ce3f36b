import type { Server } from 'node:http';
import { chown, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Owner and group may read and write (connect(2) needs write access); others nothing: 0660. */
const SOCKET_UMASK = 0o117;

/**
 * Listens on a unix socket created with mode 0660 and handed to `gid`. Node creates the socket file
 * synchronously inside `listen()`, so the umask set around that call covers exactly its creation: the
 * file never exists with wider permissions (moby sets the umask the same way). The umask is
 * process-wide, which is why it is restored before anything else can run.
 */
export async function listenOnUnixSocket(server: Server, path: string, gid: number | undefined): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  const listening = whenListening(server);
  const previous = process.umask(SOCKET_UMASK);
  try {
    server.listen(path);
  } finally {
    process.umask(previous);
  }
  await listening;
  if (gid !== undefined) await chown(path, -1, gid);
}

/** Resolves once the server listens; its first error (an address in use) rejects. */
export function whenListening(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
