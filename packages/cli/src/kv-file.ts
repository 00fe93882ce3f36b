import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@berth/api';
import { systemMessage } from './go-errors.js';

/**
 * docker/cli kvfile.Parse, for --env-file and --label-file: one `KEY=value` a line (a leading BOM and leading
 * whitespace dropped, `#` comments and blank lines skipped); a bare KEY takes its value from `lookup`, and is
 * left out when it finds none (or when there is no lookup, as for labels).
 */
export function parseKvFile(file: string, lookup?: (key: string) => string | undefined): string[] {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new InvalidArgumentError(`open ${file}: ${systemMessage(err)}`);
  }
  const lines: string[] = [];
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new InvalidArgumentError(`invalid env file (${file}): no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw new InvalidArgumentError(`invalid env file (${file}): variable '${key}' contains whitespaces`);
    if (eq >= 0) lines.push(line);
    else {
      const value = lookup?.(line);
      if (value !== undefined) lines.push(`${key}=${value}`);
    }
  }
  return lines;
}
