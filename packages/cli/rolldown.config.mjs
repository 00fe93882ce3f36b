// Bundles the berth CLI, as packages/daemon/rolldown.config.mjs bundles berthd: start-up then reads two files
// instead of resolving and loading hundreds of modules (issue 18: `berth version` near bare Node's start).
// dist/bin/berth.js stays a small entry that turns on the compile cache before it imports the rest (a chunk
// beside it), so V8 can reuse its compiled code. It overwrites tsc's dist/bin/berth.js; a plain `tsc` build still
// yields a working (unbundled) berth. Minified, names kept for readable stack traces.
import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { defineConfig } from 'rolldown';

const DIR = 'dist/bin';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// src/cli-version.ts reads ../package.json beside its own module, which the bundle (a directory deeper) has not.
const inlineVersion = {
  name: 'inline-cli-version',
  load: (id) => (id.endsWith('/src/cli-version.ts') ? `export const CLI_VERSION = ${JSON.stringify(version)};` : null),
};

export default defineConfig({
  input: { berth: 'src/bin/berth.ts' },
  platform: 'node',
  plugins: [inlineVersion, { name: 'executable', writeBundle: () => chmod(`${DIR}/berth.js`, 0o755) }],
  output: { dir: DIR, format: 'esm', sourcemap: true, chunkFileNames: 'berth-[name].js', minify: { mangle: false, compress: true } },
});
