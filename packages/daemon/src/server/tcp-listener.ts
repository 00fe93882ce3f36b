import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { TlsOptions } from 'node:tls';
import { InvalidArgumentError } from '@berth/api';
import type { DaemonConfig } from '../config.js';
import { whenListening } from './unix-listener.js';

/** Listens on `host:port`, resolving once it does (a port in use is the start's error). */
export async function listenOnTcp(server: Server, host: string, port: number): Promise<void> {
  const listening = whenListening(server);
  server.listen(port, host);
  await listening;
}

/**
 * The TCP listeners' TLS, from dockerd's --tlscert/--tlskey, and with --tlsverify its --tlscacert: a
 * client without a certificate that CA signed is refused at the handshake.
 */
export async function tcpTls(config: Pick<DaemonConfig, 'tlsVerify' | 'tlsCaCert' | 'tlsCert' | 'tlsKey'>): Promise<TlsOptions> {
  const read = (flag: string, path: string) =>
    readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError(`could not read ${flag} ${path}: ${err.code ?? err.message}`);
    });
  const [cert, key] = await Promise.all([read('--tlscert', config.tlsCert), read('--tlskey', config.tlsKey)]);
  if (!config.tlsVerify) return { cert, key };
  return { cert, key, ca: await read('--tlscacert', config.tlsCaCert), requestCert: true, rejectUnauthorized: true };
}
