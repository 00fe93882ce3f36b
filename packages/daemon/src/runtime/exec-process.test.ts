import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startExecProcess } from './exec-process.js';

let bundleDir: string;
beforeEach(() => {
  bundleDir = mkdtempSync(join(tmpdir(), 'berth-exec-process-'));
});
afterEach(() => {
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('startExecProcess', () => {
  it('reports a runtime that cannot be run as the reason the exec failed', async () => {
    const runtimePath = join(bundleDir, 'no-such-runtime');
    const proc = await startExecProcess({
      runtimeName: 'runc',
      runtimePath,
      stateRoot: bundleDir,
      containerId: 'c1',
      bundleDir,
      execId: 'e1',
      process: { cwd: '/', args: ['true'], user: { uid: 0, gid: 0 }, env: [] },
    });
    await expect(proc.exited).resolves.toEqual({
      exitCode: 126,
      runtimeError: `OCI runtime exec failed: spawn ${runtimePath} ENOENT: unknown`,
    });
    expect(readdirSync(bundleDir)).toEqual([]);
  });
});
