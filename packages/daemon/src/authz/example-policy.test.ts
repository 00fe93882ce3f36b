import { describe, expect, it } from 'vitest';
import { decideExample, type PluginRequest } from './example-policy.js';

function post(uri: string, body: unknown): PluginRequest {
  return { RequestMethod: 'POST', RequestUri: uri, RequestBody: Buffer.from(JSON.stringify(body)).toString('base64') };
}

const create = (hostConfig: unknown) => post('/v1.47/containers/create?name=x', { Image: 'busybox', HostConfig: hostConfig });

describe('decideExample', () => {
  const cases: Array<[string, PluginRequest, string | undefined]> = [
    ['a plain run', create({}), undefined],
    ['no HostConfig', post('/containers/create', { Image: 'busybox' }), undefined],
    ['privileged', create({ Privileged: true }), 'privileged containers are not allowed'],
    ['privileged false', create({ Privileged: false }), undefined],
    ['privileged, unversioned path', post('/containers/create', { HostConfig: { Privileged: true } }), 'privileged containers are not allowed'],
    ['a host bind', create({ Binds: ['/etc:/x'] }), 'host bind mounts are not allowed: /etc'],
    ['a host bind with options', create({ Binds: ['vol:/a', '/var/run/docker.sock:/s:ro'] }), 'host bind mounts are not allowed: /var/run/docker.sock'],
    ['a relative host path', create({ Binds: ['./data:/x'] }), 'host bind mounts are not allowed: ./data'],
    ['a named volume', create({ Binds: ['vol:/x', 'my_vol.2:/y:ro'] }), undefined],
    ['an anonymous volume', create({ Binds: ['/data'] }), undefined],
    ['Binds null', create({ Binds: null }), undefined],
    ['a bind mount', create({ Mounts: [{ Type: 'bind', Source: '/etc', Target: '/x' }] }), 'host bind mounts are not allowed: /etc'],
    ['a volume mount', create({ Mounts: [{ Type: 'volume', Source: 'vol', Target: '/x' }] }), undefined],
    ['a tmpfs mount', create({ Mounts: [{ Type: 'tmpfs', Target: '/x' }] }), undefined],
    [
      'a volume mount backed by a host path',
      create({ Mounts: [{ Type: 'volume', Target: '/x', VolumeOptions: { DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind', device: '/etc' } } } }] }),
      'volumes backed by a host path or device are not allowed',
    ],
    ['a privileged exec', post('/v1.47/containers/abc/exec', { Cmd: ['sh'], Privileged: true }), 'privileged exec is not allowed'],
    ['a plain exec', post('/v1.47/containers/abc/exec', { Cmd: ['sh'] }), undefined],
    ['a volume on a host path', post('/volumes/create', { Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/etc' } }), 'volumes backed by a host path or device are not allowed'],
    ['a plain volume', post('/v1.47/volumes/create', { Name: 'v' }), undefined],
    ['a body that is not JSON', { RequestMethod: 'POST', RequestUri: '/containers/create', RequestBody: Buffer.from('{').toString('base64') }, 'the request body is not JSON'],
    ['a create without a body', { RequestMethod: 'POST', RequestUri: '/containers/create' }, undefined],
    ['a GET', { RequestMethod: 'GET', RequestUri: '/v1.47/containers/json' }, undefined],
    ['a start', post('/v1.47/containers/abc/start', {}), undefined],
    ['privileged, an encoded path', post('/v1.47/containers/%63reate', { HostConfig: { Privileged: true } }), 'privileged containers are not allowed'],
    ['privileged, a fragment after the path', post('/containers/create#x', { HostConfig: { Privileged: true } }), 'privileged containers are not allowed'],
    ['privileged, a fragment before the query', post('/v1.47/containers/create#x?name=y', { HostConfig: { Privileged: true } }), 'privileged containers are not allowed'],
    ['privileged, an encoded version prefix', post('/%761.47/containers/create', { HostConfig: { Privileged: true } }), 'privileged containers are not allowed'],
    ['a host bind, doubled slashes', post('//containers//create', { HostConfig: { Binds: ['/etc:/x'] } }), 'host bind mounts are not allowed: /etc'],
    ['a privileged exec, an encoded path', post('/containers/x/%65xec', { Cmd: ['sh'], Privileged: true }), 'privileged exec is not allowed'],
    ['a privileged exec, an encoded slash in the id', post('/v1.47/containers/a%2Fb/exec', { Cmd: ['sh'], Privileged: true }), 'privileged exec is not allowed'],
    ['a path that does not decode', post('/containers/%zzcreate', {}), 'the request path is not valid percent-encoding'],
    ['an exec start (its own body has no Privileged)', post('/v1.47/exec/abc/start', { Detach: false, Privileged: true }), undefined],
  ];

  it.each(cases)('%s', (_name, request, refusal) => {
    expect(decideExample(request)).toEqual(refusal === undefined ? { Allow: true } : { Allow: false, Msg: refusal });
  });
});
