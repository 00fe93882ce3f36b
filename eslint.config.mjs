import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

// Dependency direction from DESIGN.md §2: types <- lib <- service <- app; cli talks to the engine
// only through client and api.
const depConstraints = [
  { sourceTag: 'layer:types', onlyDependOnLibsWithTags: ['layer:types'] },
  { sourceTag: 'layer:lib', onlyDependOnLibsWithTags: ['layer:types', 'layer:lib'] },
  { sourceTag: 'layer:service', onlyDependOnLibsWithTags: ['layer:types', 'layer:lib'] },
  { sourceTag: 'layer:client', onlyDependOnLibsWithTags: ['layer:types'] },
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:types', 'layer:client'] },
  { sourceTag: 'layer:e2e', onlyDependOnLibsWithTags: ['layer:types', 'layer:client'] },
];

// A package's internals are reachable only through its index (the exports map says the same).
const publicEntryOnly = { group: ['@berth/*/*'], message: 'Import another package only through its public entry (@berth/<name>).' };

// DESIGN §5: every metadata write is atomic, so the stores and the engine write files only through
// writeFileAtomic; a plain write there needs a disable comment saying why it is not metadata.
const plainWriteMessage = 'Metadata writes are atomic: use writeFileAtomic from @berth/layer.';
const plainWrites = [
  { name: 'node:fs/promises', importNames: ['writeFile', 'appendFile'], message: plainWriteMessage },
  { name: 'node:fs', importNames: ['writeFileSync', 'appendFileSync', 'writeFile', 'appendFile'], message: plainWriteMessage },
];

// DESIGN §8: routes parse, call a service and render; libraries and the runtime adapter are reached
// only through the services and ports the composition root wires.
const servicesOnly = [
  { group: ['@berth/*', '!@berth/api'], message: 'Routes reach the libraries only through the daemon\'s services (src/ports.ts).' },
  { group: ['**/runtime', '**/runtime/*', '**/adapters/*'], message: 'Routes reach the runtime and the adapters only through the daemon\'s services.' },
];

// One system boundary per package: external programs run only through the module named for it.
const systemTools = [
  'packages/layer/src/system-tools.ts',
  'packages/volume/src/system-tools.ts',
  'packages/daemon/src/system-tools.ts',
  'packages/network/src/system-tools.ts',
];
const childProcess = { name: 'node:child_process', message: 'Run external programs only through the modules listed in systemTools (eslint.config.mjs).' };

// DESIGN §8: the container core does no I/O of its own; files, tools and the host are behind its ports.
const coreWithoutIo = {
  patterns: [publicEntryOnly, { group: ['**/adapters/*'], message: 'The container core reaches adapters only through the ports (src/ports.ts).' }],
  paths: [
    ...plainWrites,
    ...['node:fs', 'node:fs/promises', 'node:child_process'].map((name) => ({ name, message: 'The container core does no I/O of its own: add it to a port (src/ports.ts) and its adapter.' })),
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      'no-restricted-imports': ['error', { patterns: [publicEntryOnly] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['packages/{daemon,image,layer,volume}/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [publicEntryOnly], paths: [...plainWrites, childProcess] }] },
  },
  {
    files: systemTools,
    rules: { 'no-restricted-imports': ['error', { patterns: [publicEntryOnly], paths: plainWrites }] },
  },
  {
    files: ['packages/daemon/src/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [publicEntryOnly, ...servicesOnly], paths: [...plainWrites, childProcess] }] },
  },
  {
    files: ['packages/daemon/src/container/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: { 'no-restricted-imports': ['error', coreWithoutIo] },
  },
);
