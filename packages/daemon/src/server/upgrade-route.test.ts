import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { isUpgradeRequest, routeUpgrade } from './upgrade-route.js';

describe('routeUpgrade', () => {
  it('routes attach, websocket attach and exec start, with or without a version', () => {
    expect(routeUpgrade('POST', '/v1.47/containers/abc/attach?stream=1&stdout=1')).toEqual({
      kind: 'attach',
      id: 'abc',
      query: { stream: '1', stdout: '1' },
      version: '1.47',
    });
    expect(routeUpgrade('GET', '/containers/a%20b/attach/ws')).toMatchObject({ kind: 'attach-ws', id: 'a b', version: '1.47' });
    expect(routeUpgrade('POST', '/v1.41/exec/e1/start')).toMatchObject({ kind: 'exec-start', id: 'e1', version: '1.41' });
  });

  it.each([
    ['POST', '/exec/%ZZ/start'],
    ['POST', '/containers/%E0%A4%A/attach'],
    ['POST', '/v1.12/exec/x/start'],
    ['POST', '/v9.99/containers/x/attach'],
  ])('takes %s %s, then answers it with a bad-request error', (method, url) => {
    expect(isUpgradeRequest({ method, url })).toBe(true);
    expect(() => routeUpgrade(method, url)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['POST', '//'],
    ['POST', '///exec/x/start'],
    ['GET', '/exec/x/start'],
    ['POST', '/containers//attach'],
    ['POST', 'http://[::1'],
    ['POST', '/v1.47/nope'],
    ['POST', '/containers/x/start'],
    [undefined, undefined],
  ])('leaves %s %s to the ordinary routes', (method, url) => {
    expect(isUpgradeRequest({ method, url })).toBe(false);
  });

  it('keeps a malformed query as text instead of failing', () => {
    expect(routeUpgrade('POST', '/exec/x/start?detachKeys=%ZZ').query).toEqual({ detachKeys: '%ZZ' });
  });
});
