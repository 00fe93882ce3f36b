import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { readAll } from '../read-all.js';
import { InvalidArgumentError } from '@berth/api';
import { goJson } from '../format/go-template.js';
import { TLS_FILES, parseMetadata, type StoredContext, type TlsFileName } from './context-store.js';

/**
 * A context as `docker context export` writes it: a tar of `meta.json` and `tls/docker/{ca,cert,key}.pem`,
 * owned by 0:0 and dated at the epoch, so both CLIs import each other's exports.
 */
export function exportContext(context: StoredContext): AsyncIterable<Buffer> {
  const archive = pack();
  const entry = (name: string, mode: number, body?: string | Buffer): void => {
    const header = { name, mode, mtime: new Date(0), uid: 0, gid: 0 };
    if (body === undefined) archive.entry({ ...header, type: 'directory' });
    else archive.entry(header, body);
  };
  entry('meta.json', 0o644, goJson(context.meta));
  const files = TLS_FILES.filter((name) => context.tls[name]);
  if (files.length) {
    entry('tls', 0o700);
    entry('tls/docker', 0o700);
    for (const name of files) entry(`tls/docker/${name}`, 0o600, context.tls[name]);
  }
  archive.finalize();
  // tar-stream's streams carry untyped chunks; the pack's are Buffers.
  return archive as AsyncIterable<unknown> as AsyncIterable<Buffer>;
}

/** Reads an exported context (docker's or ours), renamed to `name`; anything but a tar of one is refused. */
export async function importContext(input: Readable, name: string): Promise<StoredContext> {
  const reader = extract();
  input.on('error', (err) => reader.destroy(err));
  let received = 0;
  input.on('data', (chunk: Buffer) => (received += chunk.length));
  input.pipe(reader);
  let meta: StoredContext['meta'] | undefined;
  const tls: StoredContext['tls'] = {};
  // docker's export ends without tar's end-of-archive blocks, even without the last entry's padding: an end there is
  // accepted, as Go's reader does, but not one inside a header or an entry's body (which would lose what follows).
  const BLOCK = 512;
  const aligned = (offset: number): number => Math.ceil(offset / BLOCK) * BLOCK;
  let bodyEnd = 0;
  let reading = false;
  try {
    for await (const entry of reader) {
      bodyEnd = aligned(bodyEnd) + BLOCK + (entry.header.size ?? 0);
      reading = true;
      const body = await readAll(entry as AsyncIterable<unknown> as AsyncIterable<Buffer>);
      reading = false;
      const file = entry.header.name.replace(/^\.\//, '');
      const tlsFile = file.startsWith('tls/docker/') ? file.slice('tls/docker/'.length) : undefined;
      if (file === 'meta.json') meta = parseMetadata(body.toString('utf8'), 'meta.json');
      else if (tlsFile && (TLS_FILES as readonly string[]).includes(tlsFile)) tls[tlsFile as TlsFileName] = body;
    }
  } catch (err) {
    const endBetweenEntries = !reading && received <= aligned(bodyEnd) && (err as Error).message === 'Unexpected end of data';
    if (!meta || !endBetweenEntries) throw new InvalidArgumentError(endBetweenEntries || (err as Error).message === 'Unexpected end of data' ? 'unexpected EOF' : (err as Error).message, { cause: err });
  }
  if (!meta) throw new InvalidArgumentError('unexpected EOF');
  return { meta: { ...meta, Name: name }, tls };
}
