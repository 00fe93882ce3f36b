import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { isUpgradeRequest, routeUpgrade } from './upgrade-route.js';
import { execHijackedRoutes } from './routes/exec.js';

describe('routeUpgrade', () => {
  it('routes attach, websocket attach and exec start, with or without a version, to their route files\' declarations', () => {
    const endpoint = (method: string, url: string) => {
      const routed = routeUpgrade(method, url);
      return { ...routed, route: `${routed.route.method} ${routed.route.url}` };
    };
    expect(endpoint('POST', '/v1.47/containers/abc/attach?stream=1&stdout=1')).toEqual({
      route: 'POST /containers/:id/attach',
      params: { id: 'abc' },
      query: { stream: '1', stdout: '1' },
      version: '1.47',
    });
    expect(endpoint('GET', '/containers/a%20b/attach/ws')).toMatchObject({ route: 'GET /containers/:id/attach/ws', params: { id: 'a b' }, version: '1.47' });
    expect(endpoint('POST', '/v1.41/exec/e1/start')).toMatchObject({ route: 'POST /exec/:id/start', params: { id: 'e1' }, version: '1.41' });
    expect(routeUpgrade('POST', '/exec/e1/start').route).toBe(execHijackedRoutes[0]);
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
