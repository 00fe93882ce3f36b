import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import { InternalError, InvalidArgumentError } from '@berth/api';

/**
 * A zstd decompressor as a stream. Node 20's zlib has no zstd, so this runs the system `zstd`
 * (Debian package "zstd") with an argument vector: native speed, streaming, no extra npm package.
 */
export function createZstdDecompress(): Duplex {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  // The output ends only once the tool has exited cleanly, so a corrupt stream is never taken for a short one.
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  const duplex = Duplex.from({ writable: child.stdin, readable: output });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  child.once('error', (err: NodeJS.ErrnoException) => {
    duplex.destroy(
      err.code === 'ENOENT' ? new InternalError('zstd not found: install the Debian package "zstd"', { cause: err }) : err,
    );
  });
  child.once('close', (code) => {
    if (code === 0) output.end();
    else duplex.destroy(new InvalidArgumentError(`invalid zstd stream: ${stderr.trim() || `zstd exited with ${String(code)}`}`));
  });
  // When the consumer stops early (a refused entry, the size cap), the tool must not linger.
  duplex.once('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return duplex;
}
