import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed version of an npm client, for the suite's per-client lines. */
export function npmClientVersion(name: string): string {
  // Some clients' `exports` hide package.json; their entry point's folder walks up to it.
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name))) {
    if (dir === dirname(dir)) throw new Error(`${name} is not installed under a node_modules folder`);
    dir = dirname(dir);
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
