import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKvFile } from './kv-file.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-kv-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('parseKvFile (docker/cli kvfile.Parse)', () => {
  it('keeps KEY=value lines as written, skips comments and blanks, and looks bare names up', () => {
    const path = file('env', '\uFEFFA=1\n# comment\n\n   B=spaced value \nHOME\nUNSET\r\nC=x=y\n');
    expect(parseKvFile(path, (key) => ({ HOME: '/root' })[key])).toEqual(['A=1', 'B=spaced value ', 'HOME=/root', 'C=x=y']);
    expect(parseKvFile(path)).toEqual(['A=1', 'B=spaced value ', 'C=x=y']);
  });

  it('refuses a missing file, an empty name and a name with whitespace in docker words', () => {
    expect(() => parseKvFile(join(dir, 'none'))).toThrow(`open ${join(dir, 'none')}: no such file or directory`);
    const empty = file('empty-name', '=x\n');
    expect(() => parseKvFile(empty)).toThrow(`invalid env file (${empty}): no variable name on line '=x'`);
    const spaced = file('spaced-name', 'A B=1\n');
    expect(() => parseKvFile(spaced)).toThrow(`invalid env file (${spaced}): variable 'A B' contains whitespaces`);
  });
});
