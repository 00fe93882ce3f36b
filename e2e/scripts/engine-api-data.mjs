#!/usr/bin/env node
// Writes the machine-readable part of the upstream Engine API description (the YAML of moby's
// api/swagger.yaml, Apache-2.0) as JSON for the response-schema test: its schemas, paths and
// responses, without the prose (descriptions, summaries, examples).
//   node e2e/scripts/engine-api-data.mjs ../shared/reference/engine-api-v1.47.yaml e2e/data/engine-api-v1.47.json
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { load } from 'js-yaml';

const PROSE = new Set(['description', 'summary', 'example', 'examples', 'x-example', 'externalDocs']);

/** `names` is set for a map of property names (`properties`), whose keys are data, never prose. */
function strip(value, names = false) {
  if (Array.isArray(value)) return value.map((item) => strip(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => names || !PROSE.has(key))
      .map(([key, inner]) => [key, strip(inner, !names && key === 'properties')]),
  );
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: engine-api-data.mjs SPEC.yaml OUT.json\n');
  process.exit(2);
}
const spec = load(readFileSync(from, 'utf8'));
const { swagger, basePath, definitions, paths } = spec;
writeFileSync(to, `${JSON.stringify(strip({ swagger, basePath, info: { version: spec.info.version }, definitions, paths }))}\n`);
