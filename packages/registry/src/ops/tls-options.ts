import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import type { TlsConfig } from '../config-http.js';

/** The https server options for `http.tls`; an unreadable file is an error naming its key. */
export async function loadTlsOptions(tls: TlsConfig): Promise<ServerOptions> {
  const read = (key: string, path: string) =>
    readFile(path).catch((err: Error) => {
      throw new Error(`http.tls.${key}: cannot read ${path}: ${err.message}`);
    });
  const [cert, key, ...clientCAs] = await Promise.all([read('certificate', tls.certificate), read('key', tls.key), ...tls.clientCAs.map((path) => read('clientcas', path))]);
  return {
    cert,
    key,
    minVersion: tls.minVersion,
    // As Go's RequireAndVerifyClientCert: with CAs given, a client without a certificate they signed fails the handshake.
    ...(clientCAs.length > 0 && { ca: clientCAs, requestCert: true, rejectUnauthorized: true }),
  };
}
