import { describe, expect, it } from 'vitest';
import { deviceConfig, parseBpsDevice, parseDevice, parseGpus, parseIopsDevice, parseWeightDevice } from './device-flags.js';

describe('parseDevice (docker/cli validateLinuxPath and parseLinuxDevice)', () => {
  it.each([
    ['/dev/null', { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }],
    ['/dev/null:/dev/xnull', { PathOnHost: '/dev/null', PathInContainer: '/dev/xnull', CgroupPermissions: 'rwm' }],
    ['/dev/null:r', { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'r' }],
    ['/dev/null:/dev/x:rw', { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rw' }],
    ['/dev/./null/', { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }],
  ])('%s', (text, mapping) => {
    expect(parseDevice(text)).toEqual(mapping);
  });

  it.each([
    ['/dev/x:rel', 'rel is not an absolute path'],
    ['/dev/x:/y:bad', 'bad mode specified: bad'],
    ['/dev/x:/y:rw:z', 'bad format for path: /dev/x:/y:rw:z'],
    [':/y', 'bad format for path: :/y'],
  ])('refuses %s', (text, message) => {
    expect(() => parseDevice(text)).toThrow(message);
  });
});

describe('parseGpus (docker/cli GpuOpts)', () => {
  it('reads all, a count and the key=value form', () => {
    expect(parseGpus('all')).toEqual({ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} });
    expect(parseGpus('2')).toMatchObject({ Count: 2 });
    expect(parseGpus('driver=nvidia')).toMatchObject({ Driver: 'nvidia', Count: 1 });
    expect(parseGpus('"device=1,2",capabilities=utility')).toEqual({ Driver: '', Count: 0, DeviceIDs: ['1', '2'], Capabilities: [['utility', 'gpu']], Options: {} });
  });

  it('refuses what docker refuses', () => {
    expect(() => parseGpus('foo=1')).toThrow("unexpected key 'foo' in 'foo=1'");
    expect(() => parseGpus('count=x')).toThrow('invalid count (x): value must be either "all" or an integer: invalid syntax');
    expect(() => parseGpus('count=1,count=2')).toThrow("gpu request key 'count' can be specified only once");
  });
});

describe('block-IO device flags', () => {
  it('reads weights and rates', () => {
    expect(parseWeightDevice('/dev/sda:100')).toEqual({ Path: '/dev/sda', Weight: 100 });
    expect(parseBpsDevice('/dev/sda:1mb')).toEqual({ Path: '/dev/sda', Rate: 1024 ** 2 });
    expect(parseIopsDevice('/dev/sda:100')).toEqual({ Path: '/dev/sda', Rate: 100 });
  });

  it('refuses bad ones in docker words', () => {
    expect(() => parseWeightDevice('/dev/sda:5')).toThrow('invalid weight for device: /dev/sda:5');
    expect(() => parseBpsDevice('sda:1')).toThrow('bad format for device path: sda:1');
    expect(() => parseBpsDevice('/dev/sda')).toThrow('bad format: /dev/sda');
    expect(() => parseIopsDevice('/dev/sda:x')).toThrow('invalid rate for device: /dev/sda:x. The correct format is <device-path>:<number>. Number must be a positive integer');
  });
});

describe('deviceConfig', () => {
  it('sends empty lists and nulls as docker does, and CDI names as a cdi device request', () => {
    expect(deviceConfig({})).toEqual({
      BlkioWeightDevice: [],
      BlkioDeviceReadBps: [],
      BlkioDeviceWriteBps: [],
      BlkioDeviceReadIOps: [],
      BlkioDeviceWriteIOps: [],
      Devices: [],
      DeviceCgroupRules: null,
      DeviceRequests: null,
    });
    expect(deviceConfig({ device: ['vendor.com/gpu=0', '/dev/null'] })).toMatchObject({
      Devices: [{ PathOnHost: '/dev/null' }],
      DeviceRequests: [{ Driver: 'cdi', Count: 0, DeviceIDs: ['vendor.com/gpu=0'], Capabilities: null, Options: {} }],
    });
    expect(() => deviceConfig({ deviceCgroupRule: ['bogus'] })).toThrow(`invalid argument "bogus" for "--device-cgroup-rule" flag: invalid device cgroup format 'bogus'`);
  });
});
