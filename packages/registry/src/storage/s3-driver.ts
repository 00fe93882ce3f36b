import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ListObjectsV2CommandOutput,
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
  /** The size of each part of a multipart upload (the Go driver's `chunksize`); 10 MiB by default. */
  chunkSize?: number;
  /**
   * The largest object written or copied in one request, S3's limit of 5 GiB by default; larger ones
   * are written as multipart uploads. Lower only to exercise that path against a small server.
   */
  maxSingleRequestSize?: number;
}

/** One appended chunk: an object of its own, named by the logical offset where its bytes start. */
interface Part {
  key: string;
  offset: number;
  size: number;
  modified: Date;
}

const OFFSET_DIGITS = 16;
const MiB = 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 10 * MiB;
const MAX_SINGLE_REQUEST_SIZE = 5 * 1024 * MiB;
// S3 numbers the parts of one multipart upload from 1 to 10000.
const MAX_PARTS = 10_000;
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
 * that fails midway is never stored. Objects beyond S3's 5 GiB single-request limit are written, and
 * copied, as multipart uploads streamed in `chunkSize` parts.
 */
export class S3Driver implements StorageDriver {
  readonly name = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string[];
  private readonly chunkSize: number;
  private readonly maxSingleRequestSize: number;

  constructor(options: S3DriverOptions) {
    this.bucket = options.bucket;
    this.root = (options.rootDirectory ?? '').split('/').filter(Boolean);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.maxSingleRequestSize = options.maxSingleRequestSize ?? MAX_SINGLE_REQUEST_SIZE;
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
    await this.write(key, content.length, async (start, length) => Readable.from([content.subarray(start, start + length)]));
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
      const part = `${S3Driver.partsPrefix(key)}${String(before ?? 0).padStart(OFFSET_DIGITS, '0')}`;
      await this.write(part, size, async (start, length) => createReadStream(file, { start, end: start + length - 1 }));
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
    if (await this.moveObject(this.key(source), this.key(destination))) return;
    const children = await this.list(source);
    if (children.length === 0) throw new PathNotFoundError(source);
    // A directory: S3 has no rename, so each object under it is copied, then deleted.
    for (const child of children) await this.move(`${source}/${child}`, `${destination}/${child}`);
  }

  /** Moves one object (whole or a parts set); false when there is none at `from`. */
  private async moveObject(from: string, to: string): Promise<boolean> {
    const whole = await this.head(from);
    if (whole) {
      await this.copy(from, to, whole.size);
    } else {
      const parts = await this.parts(from);
      if (parts.length === 0) return false;
      if (parts.length === 1) await this.copy(parts[0]!.key, to, parts[0]!.size);
      else {
        const last = parts.at(-1)!;
        await this.write(to, last.offset + last.size, async (start, length) => Readable.from(this.readParts(parts, start, length)));
      }
    }
    await this.deletePrefix(S3Driver.partsPrefix(to));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
    await this.deletePrefix(S3Driver.partsPrefix(from));
    return true;
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    if (key !== '') {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      await this.deletePrefix(S3Driver.partsPrefix(key));
    }
    await this.deletePrefix(S3Driver.directoryPrefix(key));
  }

  /**
   * Writes `length` bytes to one object, each range streamed from `slice` with its length known up
   * front: one PUT, or a multipart upload of `chunkSize` parts beyond S3's single-request limit.
   */
  private async write(key: string, length: number, slice: (start: number, length: number) => Promise<Readable>): Promise<void> {
    if (length <= this.maxSingleRequestSize) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await slice(0, length), ContentLength: length }));
      return;
    }
    const partSize = Math.max(this.chunkSize, Math.ceil(length / MAX_PARTS));
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    try {
      const completed = [];
      for (let start = 0, number = 1; start < length; start += partSize, number++) {
        const size = Math.min(partSize, length - start);
        const body = await slice(start, size);
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber: number, Body: body, ContentLength: size }));
        completed.push({ ETag, PartNumber: number });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: completed } }));
    } catch (err) {
      // The upload's own error is the one to report; a failed abort leaves parts for the bucket's lifecycle rules.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  /** A server-side copy, or a rewrite through `write` for an object too large for one copy request. */
  private async copy(from: string, to: string, size: number): Promise<void> {
    if (size <= this.maxSingleRequestSize) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: encodeURI(`${this.bucket}/${from}`) }));
      return;
    }
    await this.write(to, size, (start, length) => this.readExisting(from, start, length));
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
      await this.copy(key, `${S3Driver.partsPrefix(key)}${'0'.padStart(OFFSET_DIGITS, '0')}`, whole.size);
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

  /** A range of an object that was there a moment ago: one that went meanwhile (moved, deleted) is an error. */
  private async readExisting(key: string, offset: number, length: number): Promise<Readable> {
    const stream = await this.readObject(key, offset, length);
    if (!stream) throw new Error(`storage object ${key} vanished while being read`);
    return stream;
  }

  private async *readParts(parts: Part[], offset: number, length?: number): AsyncGenerator<Buffer> {
    const end = length === undefined ? Infinity : offset + length;
    for (const part of parts) {
      const from = Math.max(offset, part.offset);
      const to = Math.min(end, part.offset + part.size);
      if (from >= to) continue;
      for await (const chunk of await this.readExisting(part.key, from - part.offset, to - from)) yield chunk as Buffer;
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
