import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InvalidArgumentError } from '@berth/api';

/**
 * Resolves a path named inside an unpacked archive to a regular file within `stagingDir`. Archive
 * manifests are hostile: their paths, and symlinks the archive itself created, must not lead outside
 * staging, and device nodes or FIFOs must never be read as image content.
 */
export async function resolveStagedFile(stagingDir: string, name: string): Promise<string> {
  if (name === '' || isAbsolute(name)) throw new InvalidArgumentError(`invalid path in archive: ${JSON.stringify(name)}`);
  let resolved: string;
  try {
    resolved = await realpath(join(stagingDir, name));
  } catch (err) {
    throw new InvalidArgumentError(`file ${name} not found in archive`, { cause: err });
  }
  const inside = relative(stagingDir, resolved);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new InvalidArgumentError(`path ${name} in archive points outside the archive`);
  }
  if (!(await stat(resolved)).isFile()) throw new InvalidArgumentError(`${name} in archive is not a regular file`);
  return resolved;
}

/** Reads and parses a staged JSON document, refusing documents larger than `maxBytes`. */
export async function readStagedJson(stagingDir: string, name: string, maxBytes: number): Promise<{ bytes: Buffer; value: unknown }> {
  const bytes = await readStagedBytes(stagingDir, name, maxBytes);
  try {
    return { bytes, value: JSON.parse(bytes.toString('utf8')) };
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON in ${name}`, { cause: err });
  }
}

export async function readStagedBytes(stagingDir: string, name: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(await resolveStagedFile(stagingDir, name), 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new InvalidArgumentError(`${name} in archive is too large (${size} bytes)`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
