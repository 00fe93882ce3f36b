import { createServer } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenOnUnixSocket } from './unix-listener.js';
import { socketGroupId } from '../socket-group.js';

const ETC_GROUP = 'root:x:0:\nadm:x:4:syslog\nberth:x:998:alice,bob\n';

describe('socketGroupId', () => {
  it("looks the group up as dockerd's -G does", () => {
    expect(socketGroupId('berth', ETC_GROUP, true)).toBe(998);
    expect(socketGroupId('4', ETC_GROUP, false)).toBe(4);
    expect(socketGroupId('berth', 'root:x:0:\n', true)).toBeUndefined();
    expect(socketGroupId('', ETC_GROUP, false)).toBeUndefined();
    expect(() => socketGroupId('dockerish', ETC_GROUP, false)).toThrow('socket group "dockerish" not found in /etc/group');
  });
});

describe('listenOnUnixSocket', () => {
  it('creates the socket 0660 from the first instant, hands it to the group and restores the umask', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-sock-'));
    const path = join(dir, 'nested', 'api.sock');
    const server = createServer();
    const umask = process.umask();
    try {
      // 'listening' comes right after the socket file is bound, before any later chmod could narrow it.
      let modeWhenBound = 0;
      server.once('listening', () => (modeWhenBound = statSync(path).mode & 0o777));
      await listenOnUnixSocket(server, path, 4);
      expect(modeWhenBound.toString(8)).toBe('660');
      expect(process.umask()).toBe(umask);
      const after = await stat(path);
      expect(after.isSocket()).toBe(true);
      expect((after.mode & 0o777).toString(8)).toBe('660');
      expect(after.gid).toBe(4);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a socket it cannot bind', async () => {
    const server = createServer();
    await expect(listenOnUnixSocket(server, '/proc/1/berth.sock', undefined)).rejects.toThrow(/EACCES/);
    expect(server.listening).toBe(false);
  });
});
