import { spawn } from 'node:child_process';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InternalError, InvalidArgumentError } from '@berth/api';

/** Compressions Docker's DecompressStream knows; all but gzip through the system's tool (Node has no bzip2/xz). */
const FORMATS: { name: string; magic: Buffer; tool?: { command: string; debianPackage: string } }[] = [
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b, 0x08]) },
  { name: 'bzip2', magic: Buffer.from('BZh'), tool: { command: 'bzip2', debianPackage: 'bzip2' } },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: { command: 'xz', debianPackage: 'xz-utils' } },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: { command: 'zstd', debianPackage: 'zstd' } },
];
const MAGIC_BYTES = 6;

/** Reads the first bytes of `source` and returns them with a stream replaying everything. */
async function sniff(source: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const iterator: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < MAGIC_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(Buffer.from(next.value));
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  stream.once('close', () => source.destroy());
  return { head, stream };
}

/** Runs `command -dc` as a filter; the output ends only once the tool exited 0, else it fails (a corrupt stream is never a short one). */
function toolFilter(input: Readable, tool: { command: string; debianPackage: string }): Readable {
  const child = spawn(tool.command, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  child.on('error', (err: NodeJS.ErrnoException) => {
    const message = err.code === 'ENOENT' ? `${tool.command} not found: install the Debian package "${tool.debianPackage}"` : err.message;
    output.destroy(new InternalError(message, { cause: err }));
  });
  child.on('close', (code) => {
    if (code === 0) output.end();
    else output.destroy(new InvalidArgumentError(`${tool.command}: ${stderr.trim() || `exit status ${code}`}`));
  });
  // The reader going away (an error downstream) must not leave the tool running.
  output.once('close', () => {
    input.destroy();
    if (child.exitCode === null) child.kill();
  });
  pipeline(input, child.stdin, () => undefined);
  return output;
}

/** The uncompressed bytes of `source`: a plain, gzip, bzip2, xz or zstd stream, recognised by content. */
export async function decompressed(source: Readable): Promise<Readable> {
  const { head, stream } = await sniff(source);
  const format = FORMATS.find((f) => head.subarray(0, f.magic.length).equals(f.magic));
  if (format === undefined) return stream;
  if (format.tool !== undefined) return toolFilter(stream, format.tool);
  return pipeline(stream, createGunzip(), () => undefined);
}

const TAR_BLOCK = 512;
const CHECKSUM_OFFSET = 148;
const CHECKSUM_LENGTH = 8;

/** Whether `block` is a tar header whose checksum is right (what Go's tar reader requires of a first entry). */
function isTarHeader(block: Buffer): boolean {
  if (block.length < TAR_BLOCK || block.subarray(0, TAR_BLOCK).every((b) => b === 0)) return false;
  const field = block.subarray(CHECKSUM_OFFSET, CHECKSUM_OFFSET + CHECKSUM_LENGTH).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH ? 0x20 : block[i];
  return sum === parseInt(field, 8);
}

/** Reads the first tar block of the (possibly compressed) stream and stops: is it a tar archive? */
export async function startsWithTar(source: Readable): Promise<boolean> {
  const stream = await decompressed(source);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= TAR_BLOCK) break;
    }
  } catch {
    // A stream that does not decompress is not an archive: ADD copies it as it is, as Docker does.
    return false;
  } finally {
    stream.destroy();
  }
  return isTarHeader(Buffer.concat(chunks));
}
