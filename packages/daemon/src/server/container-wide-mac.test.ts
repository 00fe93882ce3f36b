import { describe, expect, it } from 'vitest';
import type { ContainerCreateRequest } from '@berth/api';
import { CONTAINER_WIDE_MAC_WARNING, migrateContainerWideMac } from './container-wide-mac.js';

const MAC = '02:42:ac:11:00:99';
const OTHER = '02:42:ac:11:00:98';
const create = (request: Partial<ContainerCreateRequest>): ContainerCreateRequest => ({ Image: 'busybox', ...request });

describe('migrateContainerWideMac from API 1.44', () => {
  it('moves the address to a new endpoint of the mode network, clears it and warns', () => {
    for (const mode of [undefined, 'default', 'bridge', 'front']) {
      const { request, warnings } = migrateContainerWideMac(create({ MacAddress: MAC, HostConfig: mode ? { NetworkMode: mode } : {} }), '1.47');
      expect(request.MacAddress).toBeUndefined();
      expect(request.NetworkingConfig?.EndpointsConfig).toEqual({ [mode ?? 'default']: { MacAddress: MAC } });
      expect(warnings).toEqual([CONTAINER_WIDE_MAC_WARNING]);
    }
  });

  it('fills the mode network endpoint the client sent, keeping its settings', () => {
    const sent = create({ MacAddress: MAC, HostConfig: { NetworkMode: 'front' }, NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['web'] }, back: null } } });
    expect(migrateContainerWideMac(sent, '1.44').request.NetworkingConfig?.EndpointsConfig).toEqual({ front: { Aliases: ['web'], MacAddress: MAC }, back: null });
    const same = create({ MacAddress: MAC, NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: MAC } } } });
    expect(migrateContainerWideMac(same, '1.47').request.NetworkingConfig?.EndpointsConfig).toEqual({ bridge: { MacAddress: MAC } });
  });

  it('refuses an address it cannot tell the network of, or that differs from the endpoint one', () => {
    const elsewhere = create({ MacAddress: MAC, HostConfig: { NetworkMode: 'front' }, NetworkingConfig: { EndpointsConfig: { back: {} } } });
    expect(() => migrateContainerWideMac(elsewhere, '1.47')).toThrow('HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
    const differs = create({ MacAddress: MAC, HostConfig: { NetworkMode: 'front' }, NetworkingConfig: { EndpointsConfig: { front: { MacAddress: OTHER } } } });
    expect(() => migrateContainerWideMac(differs, '1.47')).toThrow('the container-wide MAC address must match the endpoint-specific MAC address');
  });

  it('refuses an address for a container without an endpoint of its own', () => {
    for (const mode of ['host', 'none', 'container:abc']) {
      expect(() => migrateContainerWideMac(create({ MacAddress: MAC, HostConfig: { NetworkMode: mode } }), '1.47')).toThrow('conflicting options: mac-address and the network mode');
    }
  });

  it('leaves a request without one as it is', () => {
    const sent = create({ NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: MAC } } } });
    expect(migrateContainerWideMac(sent, '1.47')).toEqual({ request: sent, warnings: [] });
    expect(migrateContainerWideMac(create({ MacAddress: '' }), '1.47').warnings).toEqual([]);
  });
});

describe('migrateContainerWideMac before API 1.44', () => {
  it('gives the address to the one endpoint, whatever its key, and keeps the field without a warning', () => {
    const sent = create({ MacAddress: MAC, HostConfig: { NetworkMode: 'front' }, NetworkingConfig: { EndpointsConfig: { 'front-id': { MacAddress: OTHER } } } });
    const { request, warnings } = migrateContainerWideMac(sent, '1.43');
    expect(request.NetworkingConfig?.EndpointsConfig).toEqual({ 'front-id': { MacAddress: MAC } });
    expect(request.MacAddress).toBe(MAC);
    expect(warnings).toEqual([]);
  });

  it('ignores an endpoint address, which those versions did not know', () => {
    const sent = create({ NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: MAC, Aliases: ['a'] }, other: null } } });
    expect(migrateContainerWideMac(sent, '1.41').request.NetworkingConfig?.EndpointsConfig).toEqual({ bridge: { MacAddress: '', Aliases: ['a'] }, other: null });
  });

  it('refuses an address for a container without an endpoint of its own', () => {
    expect(() => migrateContainerWideMac(create({ MacAddress: MAC, HostConfig: { NetworkMode: 'host' } }), '1.43')).toThrow('conflicting options: mac-address and the network mode');
  });
});
