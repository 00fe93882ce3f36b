import { renameSync, writeFileSync } from 'node:fs';

/** Writes a small file whole or not at all (a temporary file beside it, renamed over it): config.json, contexts. */
export function writeFileAtomic(path: string, data: string | Buffer, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode });
  renameSync(temporary, path);
}
