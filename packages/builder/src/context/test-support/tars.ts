import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';

export interface TarSpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/** A tar built in memory from entry specs (tests only). */
export async function makeTar(entries: TarSpec[]): Promise<Buffer> {
  const pack = tarPack();
  for (const spec of entries) {
    const type = spec.type ?? 'file';
    const content = Buffer.from(spec.content ?? '');
    const mode = spec.mode ?? (type === 'directory' ? 0o755 : 0o644);
    const header = { name: spec.name, type, mode, linkname: spec.linkname, uid: spec.uid ?? 0, gid: spec.gid ?? 0, mtime: spec.mtime ?? new Date(1_700_000_000_000), size: type === 'file' ? content.length : 0 };
    pack.entry(type === 'character-device' ? { ...header, devmajor: 1, devminor: 3 } : header, type === 'file' ? content : Buffer.alloc(0));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface ReadEntry {
  header: Header;
  content: Buffer;
}

/** Every entry of a tar, content included (tests only: small archives). */
export async function readTar(tar: Buffer | Readable): Promise<ReadEntry[]> {
  const parser = tarExtract();
  const source = Buffer.isBuffer(tar) ? Readable.from([tar]) : tar;
  source.pipe(parser as unknown as NodeJS.WritableStream);
  const entries: ReadEntry[] = [];
  for await (const entry of parser as AsyncIterable<AsyncIterable<Buffer> & { header: Header }>) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk);
    entries.push({ header: entry.header, content: Buffer.concat(chunks) });
  }
  return entries;
}
