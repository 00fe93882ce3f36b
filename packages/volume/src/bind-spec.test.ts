import { describe, expect, it } from 'vitest';
import { parseBind } from './bind-spec.js';

describe('parseBind', () => {
  it('parses a named volume', () => {
    expect(parseBind('data:/data')).toMatchObject({ type: 'volume', source: 'data', target: '/data', readOnly: false, mode: 'z', propagation: '' });
  });

  it('parses a read-only named volume with nocopy', () => {
    expect(parseBind('data:/data:ro,nocopy')).toMatchObject({ type: 'volume', readOnly: true, noCopy: true, mode: 'ro,nocopy' });
  });

  it('parses a bind with SELinux and propagation modes', () => {
    expect(parseBind('/srv/x/:/x:ro,Z,rshared')).toMatchObject({
      type: 'bind',
      source: '/srv/x',
      target: '/x',
      readOnly: true,
      propagation: 'rshared',
      createSource: true,
    });
    expect(parseBind('/srv:/x:z')).toMatchObject({ readOnly: false, propagation: 'rprivate', mode: 'z' });
  });

  it('makes a lone path an anonymous volume', () => {
    expect(parseBind('/data/')).toMatchObject({ type: 'volume', source: '', target: '/data' });
  });

  it.each([
    ['data:/x:bogus', 'invalid mode: bogus'],
    ['data:/x:ro,rw', 'invalid mode: ro,rw'],
    ['data:/x:rshared', 'invalid mode: rshared'],
    ['a:b:c:d', "invalid volume specification: 'a:b:c:d'"],
    ['data:relative', "invalid mount path: 'relative' mount path must be absolute"],
    ['/host:/', "destination can't be '/'"],
    ['../x:/x', 'includes invalid characters'],
    ['relative', 'mount path must be absolute'],
  ])('rejects %s', (spec, message) => {
    expect(() => parseBind(spec)).toThrow(message);
  });
});
