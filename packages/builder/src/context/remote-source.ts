import { createHash } from 'node:crypto';
import { open, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import { packFile } from '@berth/layer';
import type { Heredoc } from '../dockerfile/commands.js';
import type { BuildContext } from './build-context.js';
import { entryDigest, headerFor, tarName, type CopySource } from './copy-source.js';
import { addEntry } from './tar-entries.js';

/** moby's name for a download whose URL and headers give no file name. */
const UNNAMED = '__unnamed__';
/** moby writes downloads 0600. */
const DOWNLOAD_MODE = 0o600;
/** BuildKit writes here-documents 0644. */
const HEREDOC_MODE = 0o644;
const MAX_ERROR_BODY = 64 * 1024;

/** moby's urlutil.IsURL. */
export function isUrl(source: string): boolean {
  return source.startsWith('http://') || source.startsWith('https://');
}

/** moby's getFilenameForDownload: the URL path's last part, else Content-Disposition's filename, else ''. */
function downloadName(url: URL, contentDisposition: string | null): string {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: Go's URL parser would have refused it; the raw path still names the file.
  }
  if (path !== '' && !path.endsWith('/')) {
    const base = posix.basename(path);
    if (base !== '') return base;
  }
  const filename = /filename\s*=\s*(?:"([^"]*)"|([^;]*))/i.exec(contentDisposition ?? '');
  const value = (filename?.[1] ?? filename?.[2] ?? '').trim();
  if (value !== '' && !value.endsWith('/')) return posix.basename(value);
  return '';
}

async function errorBody(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < MAX_ERROR_BODY) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await reader.cancel();
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8').trim();
}

async function get(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new InvalidArgumentError(`Get "${url}": ${cause}`, { cause: err });
  }
  if (response.status < 400) return response;
  const message = `failed to GET ${url} with status ${response.status} ${response.statusText}: ${await errorBody(response)}`;
  throw response.status === 404 ? new NotFoundError(message) : new InvalidArgumentError(message);
}

/**
 * ADD of a URL: downloaded when the step is prepared (its content is part of the cache key, as in moby),
 * into a directory the context removes; mode 0600, mtime from Last-Modified (else the epoch); never unpacked.
 */
export async function urlSource(context: BuildContext, url: string, destIsDirectory: boolean): Promise<CopySource> {
  const response = await get(url);
  const filename = downloadName(new URL(url), response.headers.get('content-disposition'));
  if (filename === '' && destIsDirectory) throw new InvalidArgumentError(`cannot determine filename for source ${url}`);
  const path = join(await context.scratchDir(), filename || UNNAMED);
  const file = await open(path, 'wx', DOWNLOAD_MODE);
  const hash = createHash('sha256');
  let size = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of Readable.fromWeb(response.body as ReadableStream<Uint8Array>) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        for (let offset = 0; offset < chunk.length; ) offset += (await file.write(chunk, offset)).bytesWritten;
      }
    }
  } finally {
    await file.close();
  }
  const lastModified = Date.parse(response.headers.get('last-modified') ?? '');
  const mtime = new Date(Number.isNaN(lastModified) ? 0 : lastModified);
  await utimes(path, mtime, mtime);
  const sha256 = hash.digest('hex');
  return {
    name: filename || UNNAMED,
    hash: `file:${entryDigest({ path: '', type: 'file', mode: DOWNLOAD_MODE, size, content: sha256 })}`,
    isDirectory: false,
    emit: async (options, target) => {
      const handle = await open(path, 'r');
      try {
        const header = { name: tarName(target), type: 'file' as const, size, mode: DOWNLOAD_MODE, uid: 0, gid: 0, mtime };
        await packFile(options.pack, headerFor(options, header), handle);
      } finally {
        await handle.close();
      }
    },
  };
}

/** A COPY here-document: a file named after its delimiter. */
export function heredocSource(heredoc: Heredoc): CopySource {
  const content = Buffer.from(heredoc.content, 'utf8');
  const sha256 = createHash('sha256').update(content).digest('hex');
  return {
    name: heredoc.name,
    hash: `file:${entryDigest({ path: '', type: 'file', mode: HEREDOC_MODE, size: content.length, content: sha256 })}`,
    isDirectory: false,
    emit: async (options, target) => {
      const header = { name: tarName(target), type: 'file' as const, size: content.length, mode: HEREDOC_MODE, uid: 0, gid: 0, mtime: new Date() };
      await addEntry(options.pack, headerFor(options, header), content);
    },
  };
}

