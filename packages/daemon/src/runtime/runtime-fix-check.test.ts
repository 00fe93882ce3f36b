import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRuntimeFixes } from './runtime-fix-check.js';

// A stand-in `runc` that only prints a version: the check reads nothing else from the binary, and no
// Debian package owns it, so the version alone decides.
let dir: string;
const originalPath = process.env.PATH;

async function runcPrinting(version: string): Promise<void> {
  const path = join(dir, 'runc');
  await writeFile(path, `#!/bin/sh\necho "runc version ${version}"\necho "spec: 1.0.2-dev"\n`);
  await chmod(path, 0o755);
  process.env.PATH = `${dir}:${originalPath}`;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-runc-'));
});

afterEach(async () => {
  process.env.PATH = originalPath;
  await rm(dir, { recursive: true, force: true });
});

describe('checkRuntimeFixes', () => {
  it('refuses a runc without a breakout fix, in one line naming each CVE and the flag that accepts it', async () => {
    await runcPrinting('1.2.7');
    await expect(checkRuntimeFixes({ runtime: 'runc', allowed: [] })).rejects.toThrow(
      `runc 1.2.7 (${dir}/runc) lacks the fixes for container breakouts CVE-2025-31133, CVE-2025-52565, CVE-2025-52881 (fixed in runc 1.2.8, 1.3.3, 1.4.0-rc.3): upgrade it, or run at that risk with --allow-unpatched-runtime=CVE-2025-31133 --allow-unpatched-runtime=CVE-2025-52565 --allow-unpatched-runtime=CVE-2025-52881`,
    );
  });

  it('accepts only the CVEs named, and warns about them', async () => {
    await runcPrinting('1.2.7');
    await expect(checkRuntimeFixes({ runtime: 'runc', allowed: ['CVE-2025-31133'] })).rejects.toThrow(/container breakouts CVE-2025-52565, CVE-2025-52881 \(fixed in/);
    const warnings = await checkRuntimeFixes({ runtime: 'runc', allowed: ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'] });
    expect(warnings).toEqual([
      `running runc 1.2.7 (${dir}/runc) without the fixes for CVE-2025-31133, CVE-2025-52565, CVE-2025-52881 (allowed by --allow-unpatched-runtime): a container may break out to the host`,
    ]);
  });

  it('passes a fixed runc without a word, and never checks crun', async () => {
    await runcPrinting('1.3.3');
    expect(await checkRuntimeFixes({ runtime: 'runc', allowed: [] })).toEqual([]);
    expect(await checkRuntimeFixes({ runtime: 'crun', allowed: [] })).toEqual([]);
  });

  it('treats a runc whose version it cannot read as unfixed', async () => {
    await runcPrinting('');
    await expect(checkRuntimeFixes({ runtime: 'runc', allowed: [] })).rejects.toThrow(/^runc \(unknown version\) .* lacks the fixes for container breakouts CVE-2024-21626 \(fixed in runc 1.1.12\), CVE-2025-31133/);
  });
});
