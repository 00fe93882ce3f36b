import { describe, expect, it } from 'vitest';
import { namespaceModes } from './namespace-modes.js';

describe('namespaceModes', () => {
  it('gives private namespaces and the host cgroup namespace by default', () => {
    expect(namespaceModes({})).toEqual({ ipc: 'private', pid: 'private', uts: 'private', cgroup: 'host' });
    expect(namespaceModes({ IpcMode: 'shareable', CgroupnsMode: 'private', UsernsMode: 'host' })).toMatchObject({ ipc: 'private', cgroup: 'private' });
  });

  it('shares the host namespaces asked for', () => {
    expect(namespaceModes({ IpcMode: 'host', PidMode: 'host', UTSMode: 'host', CgroupnsMode: 'host' })).toEqual({
      ipc: 'host',
      pid: 'host',
      uts: 'host',
      cgroup: 'host',
    });
  });

  it('refuses joining another container and modes it cannot give', () => {
    expect(() => namespaceModes({ PidMode: 'container:db' })).toThrow('berth does not support --pid container:db yet');
    expect(() => namespaceModes({ IpcMode: 'none' })).toThrow('berth does not support --ipc none yet');
    expect(() => namespaceModes({ UsernsMode: 'private' })).toThrow('berth does not support --userns private yet');
  });

  it('refuses unknown modes with moby messages', () => {
    expect(() => namespaceModes({ UTSMode: 'bogus' })).toThrow('invalid UTS mode: bogus');
    expect(() => namespaceModes({ CgroupnsMode: 'bogus' })).toThrow('invalid cgroup namespace mode: bogus');
  });
});
