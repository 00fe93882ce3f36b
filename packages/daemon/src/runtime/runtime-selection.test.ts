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
  it('runs crun directly where its cgroup layout is supported, without a probe', async () => {
    for (const layout of [{ mode: 'unified' }, { mode: 'legacy' }, { ...HYBRID, unifiedControllers: [] }] as CgroupLayout[]) {
      const h = host({ layout });
      expect(await selectRuntime('crun', h)).toEqual({ name: 'crun', binary: '/usr/bin/crun' });
      expect(h.probed).toEqual([]);
    }
  });

  it('runs crun through the wrapper on a hybrid host with cgroup2 controllers, once its command ran', async () => {
    const h = host({ layout: HYBRID });
    const selection = await selectRuntime('crun', h);
    expect(selection).toMatchObject({ name: 'crun', binary: '/usr/bin/crun' });
    expect(selection.hiddenMountCommand?.[0]).toBe('/usr/bin/unshare');
    expect(h.probed).toEqual([selection.hiddenMountCommand]);
  });

  it('takes runc as it is', async () => {
    expect(await selectRuntime('runc', host({ layout: HYBRID }))).toEqual({ name: 'runc', binary: '/usr/bin/runc' });
  });

  it('refuses crun where it cannot run, with the reason', async () => {
    await expect(selectRuntime('crun', host({ missing: ['crun'] }))).rejects.toThrow('crun cannot run containers on this host: crun: executable file not found in $PATH');
    const refused = selectRuntime('crun', host({ layout: HYBRID, probeFails: 'Operation not permitted' }));
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toThrow('crun cannot run containers on this host: cannot hide the hybrid cgroup2 mount /sys/fs/cgroup/unified from crun in a mount namespace: Operation not permitted');
  });
});
