import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

import { REPO_ROOT as repoRoot } from './paths.js';

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, filePath) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries (DESIGN §2)', () => {
  it.each([
    ['packages/reference/src/probe.ts', '@berth/daemon'],
    ['packages/layer/src/probe.ts', '@berth/client'],
    ['packages/image/src/probe.ts', '@berth/cli'],
    ['packages/api/src/probe.ts', '@berth/layer'],
    ['packages/cli/src/probe.ts', '@berth/daemon'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await lintAs(file, `import * as x from '${target}';\nexport const probe = x;\n`);
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('forbids reaching into another package’s internals', async () => {
    const errors = await lintAs('packages/daemon/src/probe.ts', `import * as x from '@berth/layer/src/extract.js';\nexport const probe = x;\n`);
    expect(errors.join('\n')).toMatch(/public entry|enforce-module-boundaries/);
  });

  it('allows imports down the table', async () => {
    expect(await lintAs('packages/daemon/src/probe.ts', `import * as x from '@berth/layer';\nexport const probe = x;\n`)).toEqual([]);
  });
});

describe('thin routes (DESIGN §8)', () => {
  it.each([
    ['packages/daemon/src/server/routes/probe.ts', '@berth/image'],
    ['packages/daemon/src/server/routes/probe.ts', '../../runtime/index.js'],
    ['packages/daemon/src/server/probe.ts', '../adapters/cgroupfs.js'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await lintAs(file, `import * as x from '${target}';\nexport const probe = x;\n`);
    expect(errors.join('\n')).toMatch(/no-restricted-imports: .*only through/);
  });

  it('allows the API package and the daemon\'s services', async () => {
    const code = `import * as api from '@berth/api';\nimport type { ContainerLifecycle } from '../../container/lifecycle-service.js';\nexport const probe = api;\nexport type Probe = ContainerLifecycle;\n`;
    expect(await lintAs('packages/daemon/src/server/routes/probe.ts', code)).toEqual([]);
  });
});

describe('a container core without I/O (DESIGN §8)', () => {
  it.each(['node:fs/promises', 'node:child_process', '../adapters/cgroupfs.js'])('packages/daemon/src/container may not import %s', async (target) => {
    const errors = await lintAs('packages/daemon/src/container/probe.ts', `import * as x from '${target}';\nexport const probe = x;\n`);
    expect(errors.join('\n')).toMatch(/no-restricted-imports: .*(no I\/O|through the ports)/);
  });

  it('runs external programs only through the system-tool modules', async () => {
    const code = `import { execFile } from 'node:child_process';\nexport const probe = execFile;\n`;
    expect((await lintAs('packages/daemon/src/adapters/probe.ts', code)).join('\n')).toMatch(/no-restricted-imports: .*systemTools/);
    expect(await lintAs('packages/daemon/src/system-tools.ts', code)).toEqual([]);
  });
});

describe('atomic metadata writes (DESIGN §5)', () => {
  it.each(['packages/daemon/src/container/probe.ts', 'packages/image/src/internal/probe.ts', 'packages/layer/src/probe.ts', 'packages/volume/src/probe.ts'])(
    '%s may not write files with a plain writeFile',
    async (file) => {
      const errors = await lintAs(file, `import { writeFile } from 'node:fs/promises';\nexport const probe = writeFile;\n`);
      expect(errors.join('\n')).toMatch(/no-restricted-imports: .*writeFileAtomic/);
    },
  );

  it('allows writeFileAtomic, and plain writes in tests', async () => {
    expect(await lintAs('packages/daemon/src/probe.ts', `import { writeFileAtomic } from '@berth/layer';\nexport const probe = writeFileAtomic;\n`)).toEqual([]);
    expect(await lintAs('packages/daemon/src/probe.test.ts', `import { writeFile } from 'node:fs/promises';\nexport const probe = writeFile;\n`)).toEqual([]);
  });
});
