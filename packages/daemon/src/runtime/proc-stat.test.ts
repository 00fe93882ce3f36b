import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcStat } from './proc-stat.js';

describe('readProcStat', () => {
  it('reads the fields after a command name holding spaces and parentheses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proc-stat-'));
    const program = join(dir, 'a) b (c');
    copyFileSync('/bin/sleep', program);
    const child = spawn(program, ['60'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const fields = await readProcStat(child.pid as number);
      expect(fields[0]).toMatch(/^[RSD]$/);
      // Field 4, the parent: this test's process.
      expect(Number(fields[1])).toBe(process.pid);
      expect(Number.isInteger(Number(fields[19]))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects with ENOENT for a pid that names no process', async () => {
    await expect(readProcStat(2 ** 22 + 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
