import { InvalidArgumentError } from '@berth/api';
import { GoTime } from './go-time.js';

/**
 * The part of Go's text/template that `--format` values use with berth's network commands: text with
 * `{{.Field.Sub}}`, `{{.}}`, `{{json .Field}}` and `{{index .Map "key"}}` actions. Any other action is
 * refused rather than printed wrong.
 */
export function renderTemplate(template: string, data: unknown): string {
  return template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, action: string) => formatValue(evaluate(action, data, template)));
}

/** Checks a template before anything is fetched, as docker parses it first. */
export function checkTemplate(template: string): void {
  for (const match of template.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) evaluate(match[1]!, {}, template, true);
}

const FIELD = /^\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)?$/;

/** What `{{json …}}` produced: printed as JSON rather than with Go's fmt. */
class JsonOutput {
  constructor(readonly value: unknown) {}
}

function evaluate(action: string, data: unknown, template: string, dryRun = false): unknown {
  const json = /^json\s+(\S+)$/.exec(action);
  if (json && FIELD.test(json[1]!)) return dryRun ? '' : new JsonOutput(field(data, json[1]!));
  const index = /^index\s+(\S+)\s+"([^"]*)"$/.exec(action);
  // Go's index gives a missing key the zero value of the map's elements: "" for the string maps --format reaches.
  if (index && FIELD.test(index[1]!)) return dryRun ? '' : ((field(data, index[1]!) as Record<string, unknown> | null | undefined)?.[index[2]!] ?? '');
  if (FIELD.test(action)) return dryRun ? '' : field(data, action);
  throw new InvalidArgumentError(`template parsing error: berth supports only {{.Field}}, {{json .Field}} and {{index .Field "key"}} in --format: ${template}`);
}

function field(data: unknown, path: string): unknown {
  let value = data;
  for (const name of path.split('.').slice(1).filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** How Go's fmt prints a value decoded from JSON: maps as map[k:v] in key order, lists as [a b], null as <nil>. */
export function formatValue(value: unknown): string {
  if (value instanceof JsonOutput) return JSON.stringify(value.value ?? null);
  if (value === undefined || value === null) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  return goFormat(value);
}

function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (value instanceof GoTime) return value.toString();
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goFormat(v)}`).join(' ')}]`;
  }
  return String(value);
}
