import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { resolveAdditionalGroups, resolveUser } from './user.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
# a comment
nobody:x:65534:65534:nobody:/home:/bin/false
app:x:1000:1001:App:/home/app:/bin/sh
broken:x:abc:1:broken:/:/bin/sh
`;

const GROUP = `root:x:0:
daemon:x:1:
wheel:x:10:root
staff:x:50:app,other
appgrp:x:1001:
docker:x:999: app , root
nogroup:x:65534:
`;

describe('resolveUser', () => {
  it.each([
    ['', { uid: 0, gid: 0, additionalGids: [10, 999] }],
    ['root', { uid: 0, gid: 0, additionalGids: [10, 999] }],
    ['0', { uid: 0, gid: 0, additionalGids: [10, 999] }],
    ['app', { uid: 1000, gid: 1001, additionalGids: [50, 999] }],
    ['1000', { uid: 1000, gid: 1001, additionalGids: [50, 999] }],
    ['nobody', { uid: 65534, gid: 65534, additionalGids: [] }],
    ['app:staff', { uid: 1000, gid: 50, additionalGids: [] }],
    ['app:0', { uid: 1000, gid: 0, additionalGids: [] }],
    ['1000:1000', { uid: 1000, gid: 1000, additionalGids: [] }],
    ['4242', { uid: 4242, gid: 0, additionalGids: [] }],
    ['4242:4343', { uid: 4242, gid: 4343, additionalGids: [] }],
    ['4242:wheel', { uid: 4242, gid: 10, additionalGids: [] }],
    [':wheel', { uid: 0, gid: 10, additionalGids: [] }],
  ])('%j', (spec, expected) => {
    expect(resolveUser(spec, PASSWD, GROUP)).toEqual(expected);
  });

  it('rejects unknown names with Docker messages', () => {
    expect(() => resolveUser('foo', PASSWD, GROUP)).toThrow(
      new InvalidArgumentError('unable to find user foo: no matching entries in passwd file'),
    );
    expect(() => resolveUser('app:bar', PASSWD, GROUP)).toThrow(
      new InvalidArgumentError('unable to find group bar: no matching entries in group file'),
    );
  });

  it('does not read a malformed passwd line as root', () => {
    expect(() => resolveUser('broken', PASSWD, GROUP)).toThrow(InvalidArgumentError);
  });

  it('rejects ids out of range', () => {
    expect(() => resolveUser('2147483648', PASSWD, GROUP)).toThrow('uids and gids must be in range 0-2147483647');
  });

  it('works without passwd and group files for numeric users', () => {
    expect(resolveUser('', '', '')).toEqual({ uid: 0, gid: 0, additionalGids: [] });
    expect(resolveUser('5:6', '', '')).toEqual({ uid: 5, gid: 6, additionalGids: [] });
    expect(() => resolveUser('root', '', '')).toThrow(InvalidArgumentError);
  });
});

describe('resolveAdditionalGroups', () => {
  const group = 'root:x:0:\ndaemon:x:1:\nstaff:x:50:\n';

  it('takes names and gids from the group file and any gid in range', () => {
    expect(resolveAdditionalGroups(['staff', '1', '123'], group)).toEqual([50, 1, 123]);
  });

  it('refuses an unknown name with runc message', () => {
    expect(() => resolveAdditionalGroups(['nosuch'], group)).toThrow('Unable to find group nosuch: no matching entries in group file');
    expect(() => resolveAdditionalGroups([String(2 ** 31)], group)).toThrow(InvalidArgumentError);
  });
});
