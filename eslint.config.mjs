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

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      // A package's internals are reachable only through its index (the exports map says the same).
      'no-restricted-imports': ['error', { patterns: [{ group: ['@berth/*/*'], message: 'Import another package only through its public entry (@berth/<name>).' }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
);
