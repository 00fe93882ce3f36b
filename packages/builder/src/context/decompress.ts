import { spawn } from 'node:child_process';
import { PassThrough, type Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InternalError, InvalidArgumentError, isTarHeader } from '@berth/api';
import { sniffHead } from '@berth/layer';

/** Compressions Docker's DecompressStream knows; all but gzip through the system's tool (Node has no bzip2/xz). */
const FORMATS: { name: string; magic: Buffer; tool?: { command: string; debianPackage: string } }[] = [
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b, 0x08]) },
  { name: 'bzip2', magic: Buffer.from('BZh'), tool: { command: 'bzip2', debianPackage: 'bzip2' } },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: { command: 'xz', debianPackage: 'xz-utils' } },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: { command: 'zstd', debianPackage: 'zstd' } },
];
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
  const { head, stream } = await sniffHead(source);
  const format = FORMATS.find((f) => head.subarray(0, f.magic.length).equals(f.magic));
  if (format === undefined) return stream;
  if (format.tool !== undefined) return toolFilter(stream, format.tool);
  return pipeline(stream, createGunzip(), () => undefined);
}

const TAR_BLOCK = 512;

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
