import { checkTemplate, renderTemplate } from './go-template.js';
import { DOCKER_TABLE, tabwrite } from './tabwriter.js';
import { sortedEntries } from './go-order.js';

/** A field's header is a string, or for a method such as ps's `.Label "k"` a function returning it. */
export type Headers = Record<string, string | ((name: string) => string)>;

/**
 * A list command's output for a `--format` value as docker's formatter writes it: `table …` (headers, then
 * rows aligned by tabwriter; a bare `table` is the command's default table), `json` (one object per line), or
 * a template rendered once per row. `\t` and `\n` written literally in the flag are a tab and a newline.
 */
export function formatList(rows: object[], format: string, headers: Headers, defaultTable: string): string {
  if (format === 'json') return rows.map((row) => `${renderTemplate('{{json .}}', row)}\n`).join('');
  const table = format.startsWith('table');
  const body = table ? format.slice('table'.length).trim() || defaultTable.slice('table'.length).trim() : format;
  const template = body.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const lines = rows.map((row) => renderTemplate(template, row));
  if (!table) return lines.map((line) => `${line}\n`).join('');
  return tabwrite([renderTemplate(template, headers), ...lines], DOCKER_TABLE);
}

/** A `.Labels` column: `k=v` joined by commas, in key order (docker's is Go's random map order). */
export function joinLabels(labels: Record<string, string> | null | undefined): string {
  return sortedEntries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The header of a `{{.Label "name"}}` column, as docker's formatters write it: the last dotted part, dashes and underscores as spaces. */
export function labelHeader(name: string): string {
  return (name.split('.').at(-1) ?? '').replace(/[-_]/g, ' ');
}

/** Parses a `--format` value before anything is asked of the daemon, as docker does. */
export function checkListFormat(format: string | undefined): void {
  if (format && format !== 'json') checkTemplate(format.startsWith('table') ? format.slice('table'.length) : format);
}
