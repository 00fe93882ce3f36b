// Bundles berthd into one ESM file: start-up then parses one file instead of resolving and loading
// hundreds of modules (DESIGN §7, daemon ready < 0.5 s). It overwrites tsc's dist/bin/berthd.js, so a
// plain `tsc` build still yields a working (unbundled) berthd. The native addon (koffi) stays external. Minified
// (names kept, for readable stack traces) because V8 keeps the whole source in memory (idle RSS < 80 MB).
// The example authorization plugin stays tsc's output (a few small modules; the build script sets its mode).
import { chmod } from 'node:fs/promises';
import { defineConfig } from 'rolldown';

const BIN = 'dist/bin/berthd.js';

export default defineConfig({
  input: 'src/bin/berthd.ts',
  platform: 'node',
  external: ['koffi'],
  // Run as a command, the shebang's node flags apply (see src/bin/berthd.ts).
  plugins: [{ name: 'executable', writeBundle: () => chmod(BIN, 0o755) }],
  output: { file: BIN, format: 'esm', sourcemap: true, minify: { mangle: false, compress: true } },
});
