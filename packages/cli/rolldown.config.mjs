// Bundles the berth CLI, as packages/daemon/rolldown.config.mjs bundles berthd: start-up then reads two files
// instead of resolving and loading hundreds of modules (issue 18: `berth version` near bare Node's start).
// dist/bin/berth.js stays a small entry that turns on the compile cache before it imports the rest (a chunk
// beside it), so V8 can reuse its compiled code. It overwrites tsc's dist/bin/berth.js; a plain `tsc` build still
// yields a working (unbundled) berth. Minified, names kept for readable stack traces.
import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { defineConfig } from 'rolldown';

const DIR = 'dist/bin';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// src/cli-version.ts reads ../package.json beside its own module, which the bundle (a directory deeper) has not.
const inlineVersion = {
  name: 'inline-cli-version',
  load: (id) => (id.endsWith('/src/cli-version.ts') ? `export const CLI_VERSION = ${JSON.stringify(version)};` : null),
};

// Node's built-in modules load on first use. An `import` of one builds its ESM facade, which reads every export (and
// so runs lazy getters: node:http's loads Node's bundled undici), and most commands never touch crypto, readline or
// child_process. Each import or require of a built-in gets an object whose properties load it when first read or
// set; not those whose export is itself a function or class (events, stream), which a plain object cannot stand for.
const LAZY_BUILTIN = '\0lazy-builtin:';
const lazyBuiltins = {
  name: 'lazy-builtins',
  resolveId: (source) => {
    const name = source.replace(/^node:/, '');
    if (!builtinModules.includes(name) || typeof process.getBuiltinModule(name) === 'function') return null;
    return { id: `${LAZY_BUILTIN}${name}`, moduleSideEffects: false };
  },
  load: (id) => {
    if (!id.startsWith(LAZY_BUILTIN)) return null;
    const name = `node:${id.slice(LAZY_BUILTIN.length)}`;
    const properties = Object.keys(process.getBuiltinModule(name)).map((key) => {
      const k = JSON.stringify(key);
      return `${k}: { enumerable: true, get: () => load()[${k}], set: (value) => { load()[${k}] = value; } }`;
    });
    return [
      'let loaded;',
      `const load = () => (loaded ??= process.getBuiltinModule(${JSON.stringify(name)}));`,
      `module.exports = Object.defineProperties({}, {\n${properties.join(',\n')}\n});`,
    ].join('\n');
  },
};

// @berth/api's modules only define things (TypeBox schemas, error classes, constants). Its schemas, which the CLI
// never uses, would otherwise be kept for the TypeBox calls that build them as their module loads.
const apiHasNoSideEffects = (id) => (/\/packages\/api\/dist\//.test(id) ? false : undefined);

export default defineConfig({
  input: { berth: 'src/bin/berth.ts' },
  platform: 'node',
  treeshake: { moduleSideEffects: apiHasNoSideEffects },
  plugins: [lazyBuiltins, inlineVersion, { name: 'executable', writeBundle: () => chmod(`${DIR}/berth.js`, 0o755) }],
  output: { dir: DIR, format: 'esm', sourcemap: true, chunkFileNames: 'berth-[name].js', minify: { mangle: false, compress: true } },
});
