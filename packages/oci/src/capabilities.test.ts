import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, DEFAULT_CAPABILITIES, capabilitiesFromMask, resolveCapabilities } from './capabilities.js';

/** This machine's bounding set: everything up to CAP_CHECKPOINT_RESTORE except CAP_SYS_RESOURCE. */
const HOST = capabilitiesFromMask('000001fffeffffff');

describe('capabilitiesFromMask', () => {
  it('decodes bits to names', () => {
    expect(capabilitiesFromMask('0000000000000003')).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
    expect(HOST).toHaveLength(40);
    expect(HOST).not.toContain('CAP_SYS_RESOURCE');
    expect(HOST).toContain('CAP_CHECKPOINT_RESTORE');
  });

  it('ignores bits beyond the known capabilities', () => {
    expect(capabilitiesFromMask('ffffffffffffffff')).toEqual(CAPABILITY_NAMES);
  });
});

describe('resolveCapabilities', () => {
  it("gives Docker's 14 by default", () => {
    expect(resolveCapabilities({ available: HOST })).toEqual([
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
      'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
      'CAP_AUDIT_WRITE',
    ]);
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
  });

  it('adds and drops with or without the CAP_ prefix, in any case', () => {
    const caps = resolveCapabilities({ available: HOST, capAdd: ['net_admin', 'CAP_SYS_PTRACE'], capDrop: ['MKNOD', 'cap_kill'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_PTRACE');
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).not.toContain('CAP_KILL');
    expect(caps).toHaveLength(14);
  });

  it('does not duplicate a capability that is added twice', () => {
    const caps = resolveCapabilities({ available: HOST, capAdd: ['CHOWN', 'CAP_CHOWN'] });
    expect(caps.filter((c) => c === 'CAP_CHOWN')).toHaveLength(1);
  });

  it('cap-add ALL gives every available capability except the dropped ones', () => {
    const caps = resolveCapabilities({ available: HOST, capAdd: ['ALL'], capDrop: ['NET_ADMIN'] });
    expect(caps).toEqual(HOST.filter((c) => c !== 'CAP_NET_ADMIN'));
  });

  it('cap-drop ALL keeps only the added ones', () => {
    expect(resolveCapabilities({ available: HOST, capDrop: ['all'], capAdd: ['CHOWN'] })).toEqual(['CAP_CHOWN']);
    expect(resolveCapabilities({ available: HOST, capDrop: ['ALL'] })).toEqual([]);
  });

  it('privileged means the host bounding set', () => {
    expect(resolveCapabilities({ available: HOST, privileged: true, capDrop: ['CHOWN'] })).toEqual(HOST);
  });

  it('rejects unknown capabilities as Docker does', () => {
    expect(() => resolveCapabilities({ available: HOST, capAdd: ['FOO'] })).toThrow(
      new InvalidArgumentError('unknown capability: "CAP_FOO"'),
    );
    expect(() => resolveCapabilities({ available: HOST, capDrop: ['CAP_BAR'] })).toThrow(InvalidArgumentError);
  });

  it('rejects a capability this host cannot grant', () => {
    expect(() => resolveCapabilities({ available: HOST, capAdd: ['SYS_RESOURCE'] })).toThrow(
      'capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"',
    );
  });
});
