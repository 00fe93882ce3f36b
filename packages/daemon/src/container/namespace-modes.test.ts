import { describe, expect, it } from 'vitest';
import { checkUserNamespaceConflicts, namespaceModes } from './namespace-modes.js';

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

describe('checkUserNamespaceConflicts', () => {
  it("refuses privileged mode and the host's network and PID namespaces under the daemon's remapping, as dockerd", () => {
    expect(() => checkUserNamespaceConflicts({ Privileged: true }, true)).toThrow('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    expect(() => checkUserNamespaceConflicts({ NetworkMode: 'host' }, true)).toThrow("cannot share the host's network namespace when user namespaces are enabled");
    expect(() => checkUserNamespaceConflicts({ PidMode: 'host' }, true)).toThrow('cannot share the host PID namespace when user namespaces are enabled');
  });

  it('allows them with --userns host, and without remapping', () => {
    const all = { Privileged: true, NetworkMode: 'host', PidMode: 'host' };
    expect(() => checkUserNamespaceConflicts({ ...all, UsernsMode: 'host' }, true)).not.toThrow();
    expect(() => checkUserNamespaceConflicts(all, false)).not.toThrow();
  });
});
