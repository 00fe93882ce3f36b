import { describe, expect, it } from 'vitest';
import { UnavailableError } from '@berth/api';
import type { CgroupLayout } from '../adapters/cgroup-layout.js';
import { selectRuntime, type RuntimeHost } from './runtime-selection.js';

const HYBRID: CgroupLayout = { mode: 'hybrid', unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: ['hugetlb'] };

function host(options: { layout?: CgroupLayout; missing?: string[]; probeFails?: string } = {}): RuntimeHost & { probed: string[][] } {
  const probed: string[][] = [];
  return {
    probed,
    cgroupLayout: () => Promise.resolve(options.layout ?? { mode: 'unified' }),
    resolve: (command) => {
      if (options.missing?.includes(command)) throw new Error(`${command}: executable file not found in $PATH`);
      return `/usr/bin/${command}`;
    },
    probe: (command) => {
      probed.push(command);
      return options.probeFails ? Promise.reject(new Error(options.probeFails)) : Promise.resolve();
    },
  };
}

describe('the runtime selection', () => {
  it('defaults to crun where it runs directly, without a probe', async () => {
    for (const layout of [{ mode: 'unified' }, { mode: 'legacy' }, { ...HYBRID, unifiedControllers: [] }] as CgroupLayout[]) {
      const h = host({ layout });
      expect(await selectRuntime(undefined, h)).toEqual({ name: 'crun', binary: '/usr/bin/crun' });
      expect(h.probed).toEqual([]);
    }
  });

  it('defaults to crun through the wrapper on a hybrid host with cgroup2 controllers, once its command ran', async () => {
    const h = host({ layout: HYBRID });
    const selection = await selectRuntime(undefined, h);
    expect(selection).toMatchObject({ name: 'crun', binary: '/usr/bin/crun' });
    expect(selection.hiddenMountCommand?.[0]).toBe('/usr/bin/unshare');
    expect(h.probed).toEqual([selection.hiddenMountCommand]);
  });

  it('falls back to runc, saying why, when crun is missing or the wrapper cannot run', async () => {
    expect(await selectRuntime(undefined, host({ missing: ['crun'] }))).toEqual({ name: 'runc', binary: '/usr/bin/runc', fallbackReason: 'not using crun: crun: executable file not found in $PATH' });
    const noNamespace = await selectRuntime(undefined, host({ layout: HYBRID, probeFails: 'unshare: unshare failed: Operation not permitted' }));
    expect(noNamespace).toMatchObject({ name: 'runc', fallbackReason: expect.stringContaining('Operation not permitted') as unknown });
  });

  it('takes --runtime as given, and refuses crun where it cannot run, with the reason', async () => {
    expect(await selectRuntime('runc', host())).toEqual({ name: 'runc', binary: '/usr/bin/runc' });
    expect(await selectRuntime('crun', host({ layout: HYBRID }))).toMatchObject({ name: 'crun' });
    const refused = selectRuntime('crun', host({ layout: HYBRID, probeFails: 'Operation not permitted' }));
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toThrow('crun cannot run containers on this host: cannot hide the hybrid cgroup2 mount /sys/fs/cgroup/unified from crun in a mount namespace: Operation not permitted');
  });
});
