import { describe, expect, it } from 'vitest';
import { linkEnv, parseLink, storedLink } from './links.js';

describe('legacy links', () => {
  it('parses --link and the stored form, and stores them as moby does', () => {
    expect(parseLink('db')).toEqual({ child: 'db', alias: 'db' });
    expect(parseLink('db:store')).toEqual({ child: 'db', alias: 'store' });
    expect(parseLink('/db:/web/store')).toEqual({ child: 'db', alias: 'store' });
    expect(storedLink({ child: 'db', alias: 'store' }, '/web')).toBe('/db:/web/store');
    expect(() => parseLink('a:b:c')).toThrow('invalid link: "a:b:c", expected name[:alias]');
    expect(() => parseLink(':x')).toThrow(/invalid link/);
  });

  it("gives moby's variables: ports (TCP first, runs of consecutive ports), the name, the child's env but HOME and PATH", () => {
    const env = linkEnv({ name: '/web/my-db', ip: '172.17.0.3', env: ['PATH=/bin', 'HOME=/root', 'USER=pg', 'BARE'], exposedPorts: ['53/udp', '5433/tcp', '5432'] });
    expect(env).toEqual([
      'MY_DB_PORT=tcp://172.17.0.3:5432',
      'MY_DB_PORT_5432_TCP=tcp://172.17.0.3:5432',
      'MY_DB_PORT_5432_TCP_ADDR=172.17.0.3',
      'MY_DB_PORT_5432_TCP_PORT=5432',
      'MY_DB_PORT_5432_TCP_PROTO=tcp',
      'MY_DB_PORT_5433_TCP=tcp://172.17.0.3:5433',
      'MY_DB_PORT_5433_TCP_ADDR=172.17.0.3',
      'MY_DB_PORT_5433_TCP_PORT=5433',
      'MY_DB_PORT_5433_TCP_PROTO=tcp',
      'MY_DB_PORT_53_UDP=udp://172.17.0.3:53',
      'MY_DB_PORT_53_UDP_ADDR=172.17.0.3',
      'MY_DB_PORT_53_UDP_PORT=53',
      'MY_DB_PORT_53_UDP_PROTO=udp',
      'MY_DB_PORT_5432_TCP_START=tcp://172.17.0.3:5432',
      'MY_DB_PORT_5432_TCP_PORT_START=5432',
      'MY_DB_PORT_5432_TCP_END=tcp://172.17.0.3:5433',
      'MY_DB_PORT_5432_TCP_PORT_END=5433',
      'MY_DB_NAME=/web/my-db',
      'MY_DB_ENV_USER=pg',
    ]);
    expect(linkEnv({ name: '/web/db', ip: '172.17.0.3', env: [], exposedPorts: [] })).toEqual(['DB_NAME=/web/db']);
  });
});
