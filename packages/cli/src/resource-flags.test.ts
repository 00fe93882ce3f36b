import { describe, expect, it } from 'vitest';
import { parseCpus, parseIntFlag, parseNanoCpus, parseRamBytes, parseRestartFlag, parseUlimit, ramInBytes, resourceConfig, windowsOnlyFlag } from './resource-flags.js';

describe('ramInBytes (go-units RAMInBytes)', () => {
  it.each([
    ['1024', 1024],
    ['1k', 1024],
    ['2m', 2 * 1024 ** 2],
    ['1.5g', 1.5 * 1024 ** 3],
    ['3MiB', 3 * 1024 ** 2],
    ['512kb', 512 * 1024],
    ['64MB', 64 * 1024 ** 2],
    ['10 m', 10 * 1024 ** 2],
    ['7b', 7],
  ])('%s is %d bytes', (text, bytes) => {
    expect(ramInBytes(text)).toBe(bytes);
  });

  it.each([
    ['x', "invalid size: 'x'"],
    ['-1', "invalid size: '-1'"],
    ['1q', "invalid suffix: 'q'"],
    ['1kbb', "invalid suffix: 'kbb'"],
    ['1.2.3', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
  ])('refuses %s as go-units does', (text, message) => {
    expect(() => ramInBytes(text)).toThrow(message);
  });

  it('keeps -1 for docker update', () => {
    expect(parseRamBytes('-1')).toBe(-1);
    expect(() => parseRamBytes('lots')).toThrow("invalid size: 'lots'");
  });
});

describe('parseCpus (docker/cli ParseCPUs)', () => {
  it('is exact in nanoseconds or refused', () => {
    expect(parseCpus('1.5')).toBe(1_500_000_000);
    expect(parseCpus('.25')).toBe(250_000_000);
    expect(parseCpus('0.000000001')).toBe(1);
    expect(parseNanoCpus('0.5')).toBe(500_000_000);
    expect(() => parseCpus('0.0000000001')).toThrow('value is too precise');
    expect(() => parseCpus('half')).toThrow('failed to parse half as a rational number');
  });
});

describe('parseUlimit (go-units ParseUlimit)', () => {
  it('reads soft[:hard], the hard limit defaulting to the soft', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ Name: 'nofile', Soft: 1024, Hard: 2048 });
    expect(parseUlimit('nproc=10')).toEqual({ Name: 'nproc', Soft: 10, Hard: 10 });
    expect(parseUlimit('core=-1')).toEqual({ Name: 'core', Soft: -1, Hard: -1 });
  });

  it.each([
    ['nofile', 'invalid ulimit argument: nofile'],
    ['bogus=1', 'invalid ulimit type: bogus'],
    ['nofile=a:b', 'strconv.ParseInt: parsing "b": invalid syntax'],
    ['nofile=2:1', 'ulimit soft limit must be less than or equal to hard limit: 2 > 1'],
    ['nofile=-1:5', 'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 5'],
    ['nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`'],
  ])('refuses %s', (text, message) => {
    expect(() => parseUlimit(text)).toThrow(message);
  });
});

describe('resourceConfig', () => {
  it('sends docker zero values without flags', () => {
    expect(resourceConfig({})).toMatchObject({ Memory: 0, MemorySwap: 0, MemorySwappiness: -1, OomKillDisable: false, PidsLimit: 0, Ulimits: [], NanoCpus: 0, ShmSize: 0 });
  });

  it('reads the flags as docker does: sizes, --memory-swap -1, sorted ulimits with the last of a name', () => {
    const config = resourceConfig({ memory: '64m', memorySwap: '-1', cpus: '1.5', shmSize: '128m', pidsLimit: '100', ulimit: ['nproc=5', 'nofile=1:2', 'nproc=7'], oomKillDisable: true, blkioWeight: '300' });
    expect(config).toMatchObject({ Memory: 64 * 1024 ** 2, MemorySwap: -1, NanoCpus: 1.5e9, ShmSize: 128 * 1024 ** 2, PidsLimit: 100, OomKillDisable: true, BlkioWeight: 300 });
    expect(config.Ulimits).toEqual([{ Name: 'nofile', Soft: 1, Hard: 2 }, { Name: 'nproc', Soft: 7, Hard: 7 }]);
  });

  it('reports bad values as pflag does, naming the flag', () => {
    expect(() => resourceConfig({ memory: 'x' })).toThrow(`invalid argument "x" for "-m, --memory" flag: invalid size: 'x'`);
    expect(() => resourceConfig({ memorySwap: '-2' })).toThrow(`invalid argument "-2" for "--memory-swap" flag: invalid size: '-2'`);
    expect(() => resourceConfig({ ulimit: ['nofile'] })).toThrow('invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile');
    expect(() => resourceConfig({ blkioWeight: '70000' })).toThrow('invalid argument "70000" for "--blkio-weight" flag: strconv.ParseUint: parsing "70000": value out of range');
    expect(() => resourceConfig({ memorySwappiness: '101' })).toThrow('invalid value: 101. Valid memory swappiness range is 0-100');
    expect(() => resourceConfig({ kernelMemory: 'z' })).toThrow('for "--kernel-memory" flag');
  });
});

describe('windowsOnlyFlag', () => {
  it("names the first Windows-only flag given, in docker's words, after checking its value", () => {
    expect(windowsOnlyFlag({ memory: '1g' })).toBeUndefined();
    expect(windowsOnlyFlag({ cpuPercent: '50', ioMaxiops: '3' })).toBe('"--cpu-percent" is only supported on a Docker daemon running on windows, but the Docker daemon is running on linux');
    expect(() => windowsOnlyFlag({ ioMaxiops: '-1' })).toThrow('invalid argument "-1" for "--io-maxiops" flag: strconv.ParseUint: parsing "-1": invalid syntax');
  });
});

describe('restart and integer flags', () => {
  it('splits restart policies', () => {
    expect(parseRestartFlag('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(parseRestartFlag('always')).toEqual({ Name: 'always', MaximumRetryCount: 0 });
  });

  it('parses integer flags', () => {
    expect(parseIntFlag('20', '--pids-limit')).toBe(20);
    expect(() => parseIntFlag('x', '--pids-limit')).toThrow('invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax');
  });
});
