import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { InvalidPathError, PathNotFoundError, type FileInfo, type StorageDriver } from './storage-driver.js';

export interface S3DriverOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL; AWS's endpoint for the region when absent. */
  endpoint?: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key`, as most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Plain HTTP to AWS's endpoint when false; an explicit endpoint carries its own scheme. */
  secure?: boolean;
  /** The SDK's default chain (environment, profile, instance role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A key prefix under which every path lives, as the Go driver's `rootdirectory`. */
  rootDirectory?: string;
}

/** One appended chunk: an object of its own, named by the logical offset where its bytes start. */
interface Part {
  key: string;
  offset: number;
  size: number;
  modified: Date;
}

const OFFSET_DIGITS = 16;
// DeleteObjects takes at most this many keys a request.
const DELETE_BATCH = 1000;

function isNotFound(err: unknown): boolean {
  return err instanceof Error && ['NoSuchKey', 'NotFound'].includes(err.name);
}

function isUnsatisfiableRange(err: unknown): boolean {
  return err instanceof Error && (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416;
}

/**
 * The registry's files as objects in one bucket, keyed as the Go registry's `s3` driver keys them
 * (`<rootdirectory>/docker/registry/v2/…`), so replicas sharing the bucket share one registry.
 *
 * S3 cannot append to an object, so `append` stores each chunk as an object of its own beside the
 * path, `.<name>.parts/<offset>`, and readers see the parts as one object; `move` turns them into a
 * single object. A whole object at the path, when there is one, wins over parts: `putContent` and
 * `move` replace an object in one PUT and only then remove stale parts, so readers never see a mix.
 * Chunks are spooled to a temp file first, since PutObject needs the length before the bytes; a chunk
 * that fails midway is never stored.
 */
export class S3Driver implements StorageDriver {
  readonly name = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string[];

  constructor(options: S3DriverOptions) {
    this.bucket = options.bucket;
    this.root = (options.rootDirectory ?? '').split('/').filter(Boolean);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      tls: options.secure,
      credentials: options.credentials,
      // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's default
      // trailing checksums on streamed uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The object key for a driver path; '' is the root. */
  private key(path: string): string {
    if (!path.startsWith('/') || path.includes('\0') || path.split('/').includes('..')) throw new InvalidPathError(path);
    return [...this.root, ...path.split('/').filter((segment) => segment !== '' && segment !== '.')].join('/');
  }

  private static partsPrefix(key: string): string {
    const slash = key.lastIndexOf('/');
    return `${key.slice(0, slash + 1)}.${key.slice(slash + 1)}.parts/`;
  }

  private static directoryPrefix(key: string): string {
    return key === '' ? '' : `${key}/`;
  }

  async getContent(path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.reader(path)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async putContent(path: string, content: Buffer): Promise<void> {
    const key = this.key(path);
    await this.put(key, content, content.length);
    await this.deletePrefix(S3Driver.partsPrefix(key));
  }

  async reader(path: string, offset = 0, length?: number): Promise<Readable> {
    const key = this.key(path);
    const whole = await this.readObject(key, offset, length);
    if (whole) return whole;
    const parts = await this.parts(key);
    if (parts.length === 0) throw new PathNotFoundError(path);
    return Readable.from(this.readParts(parts, offset, length));
  }

  async append(path: string, data: Readable): Promise<number> {
    const key = this.key(path);
    const before = await this.logicalSize(key);
    const spool = await mkdtemp(join(tmpdir(), 'berth-registry-s3-'));
    try {
      const file = join(spool, 'chunk');
      await pipeline(data, createWriteStream(file));
      const { size } = await stat(file);
      // An empty chunk stores nothing, except to create an absent object.
      if (size === 0 && before !== undefined) return before;
      await this.put(`${S3Driver.partsPrefix(key)}${String(before ?? 0).padStart(OFFSET_DIGITS, '0')}`, createReadStream(file), size);
      return (before ?? 0) + size;
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  }

  async stat(path: string): Promise<FileInfo | undefined> {
    const key = this.key(path);
    if (key !== '') {
      const whole = await this.head(key);
      if (whole) return { ...whole, isDirectory: false };
      const last = (await this.parts(key)).at(-1);
      if (last) return { size: last.offset + last.size, modified: last.modified, isDirectory: false };
    }
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: S3Driver.directoryPrefix(key), MaxKeys: 1 }));
    return page.KeyCount ? { size: 0, modified: new Date(0), isDirectory: true } : undefined;
  }

  /** Direct children, objects and "directories" alike; a parts set shows as the object it makes up. */
  async list(path: string): Promise<string[]> {
    const prefix = S3Driver.directoryPrefix(this.key(path));
    const names = new Set<string>();
    for await (const page of this.pages(prefix, '/')) {
      for (const object of page.Contents ?? []) names.add(object.Key!.slice(prefix.length));
      for (const common of page.CommonPrefixes ?? []) names.add(common.Prefix!.slice(prefix.length, -1));
    }
    const visible = [...names].map((name) => (name.startsWith('.') ? /^\.(.+)\.parts$/.exec(name)?.[1] : name));
    return [...new Set(visible.filter((name) => name !== undefined))];
  }

  async move(source: string, destination: string): Promise<void> {
    const from = this.key(source);
    const to = this.key(destination);
    if (await this.head(from)) {
      await this.copy(from, to);
    } else {
      const parts = await this.parts(from);
      if (parts.length === 0) throw new PathNotFoundError(source);
      if (parts.length === 1) await this.copy(parts[0]!.key, to);
      else {
        const last = parts.at(-1)!;
        await this.put(to, Readable.from(this.readParts(parts, 0)), last.offset + last.size);
      }
    }
    await this.deletePrefix(S3Driver.partsPrefix(to));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
    await this.deletePrefix(S3Driver.partsPrefix(from));
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    if (key !== '') {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      await this.deletePrefix(S3Driver.partsPrefix(key));
    }
    await this.deletePrefix(S3Driver.directoryPrefix(key));
  }

  private async put(key: string, body: PutObjectCommandInput['Body'], length: number): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: length }));
  }

  private async copy(from: string, to: string): Promise<void> {
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: encodeURI(`${this.bucket}/${from}`) }));
  }

  private async head(key: string): Promise<{ size: number; modified: Date } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The size of the object or its parts; undefined when neither exists. A whole object becomes the first part. */
  private async logicalSize(key: string): Promise<number | undefined> {
    const whole = await this.head(key);
    if (whole) {
      await this.copy(key, `${S3Driver.partsPrefix(key)}${'0'.padStart(OFFSET_DIGITS, '0')}`);
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      return whole.size;
    }
    const last = (await this.parts(key)).at(-1);
    return last && last.offset + last.size;
  }

  /** A range of one object, or undefined when it does not exist. */
  private async readObject(key: string, offset: number, length?: number): Promise<Readable | undefined> {
    if (length === 0) return (await this.head(key)) && Readable.from([]);
    const range = offset === 0 && length === undefined ? undefined : `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
      return object.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      // Reading from the end (or past it) reads nothing, as from a file.
      if (isUnsatisfiableRange(err)) return Readable.from([]);
      throw err;
    }
  }

  private async *readParts(parts: Part[], offset: number, length?: number): AsyncGenerator<Buffer> {
    const end = length === undefined ? Infinity : offset + length;
    for (const part of parts) {
      const from = Math.max(offset, part.offset);
      const to = Math.min(end, part.offset + part.size);
      if (from >= to) continue;
      const stream = await this.readObject(part.key, from - part.offset, to - from);
      if (!stream) throw new Error(`storage object ${part.key} vanished while being read`);
      for await (const chunk of stream) yield chunk as Buffer;
    }
  }

  private async parts(key: string): Promise<Part[]> {
    const prefix = S3Driver.partsPrefix(key);
    const parts: Part[] = [];
    for await (const page of this.pages(prefix)) {
      for (const object of page.Contents ?? []) {
        const name = object.Key!.slice(prefix.length);
        if (/^\d+$/.test(name)) parts.push({ key: object.Key!, offset: Number(name), size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) });
      }
    }
    return parts.sort((a, b) => a.offset - b.offset);
  }

  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async deletePrefix(prefix: string): Promise<void> {
    for await (const page of this.pages(prefix)) {
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(start, start + DELETE_BATCH), Quiet: true } }));
      }
    }
  }
}
