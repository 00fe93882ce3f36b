import { describe, expect, it } from 'vitest';
import { boundingSetFromStatus, readHostBoundingSet } from './host-capabilities.js';

describe('boundingSetFromStatus', () => {
  it('reads CapBnd', () => {
    const status = 'Name:\tnode\nCapPrm:\t0000000000000000\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n';
    expect(boundingSetFromStatus(status)).toEqual([
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
      'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE',
      'CAP_SETFCAP',
    ]);
  });

  it('reads this process', () => {
    expect(readHostBoundingSet()).toContain('CAP_CHOWN');
  });
});
