import { describe, expect, it, vi } from 'vitest';
import { ConflictError } from '@berth/api';
import { AttachHub, type AttachTarget } from './attach-hub.js';
import type { ContainerCore } from './container-core.js';
import type { ContainerRecord } from './record.js';

/** A hub whose runtime refuses the attach as conmon's closed socket does, with `error`. */
function hubRefusing(error: Error): AttachHub {
  const core = { runtime: { attach: () => Promise.reject(error) }, taskSpec: () => ({ id: 'c1', bundleDir: '/nonexistent' }) };
  return new AttachHub(core as unknown as ContainerCore);
}

const running = { id: 'c1', state: { running: true } } as unknown as ContainerRecord;
const target = () => ({ end: vi.fn<() => void>(), closed: new Promise<void>(() => undefined) }) satisfies AttachTarget;

describe('AttachHub', () => {
  it('ends an attach whose container exited before its exit was recorded, as moby does (no error)', async () => {
    const t = target();
    await hubRefusing(new ConflictError('container c1 is not running: cannot attach')).attach(running, t);
    expect(t.end).toHaveBeenCalledOnce();
  });

  it('passes any other failure on', async () => {
    const t = target();
    await expect(hubRefusing(new Error('EMFILE')).attach(running, t)).rejects.toThrow('EMFILE');
    expect(t.end).not.toHaveBeenCalled();
  });
});
