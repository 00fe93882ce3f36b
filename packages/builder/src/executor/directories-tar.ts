import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/** A tar of empty directories (WORKDIR's), root-owned 0755 as moby creates them, paths relative to `/`. */
export function directoriesTar(dirs: readonly string[]): Readable {
  const tar = pack();
  for (const dir of dirs) tar.entry({ name: `${dir.replace(/^\/+/, '')}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date() });
  tar.finalize();
  return Readable.from(tar);
}
