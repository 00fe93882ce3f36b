import { describe, expect, it } from 'vitest';
import { fromHumanSize, logSettings, recordedLogSettings } from './log-config.js';

const settings = (Type: string | undefined, Config?: Record<string, string>) => logSettings({ Type, Config });

describe('logSettings', () => {
  it('json-file is the default, keeping one unbounded file', () => {
    expect(logSettings(undefined)).toEqual({ driver: 'json-file', maxSize: undefined, maxFile: 1, compress: false });
    expect(settings('', {})).toMatchObject({ driver: 'json-file' });
  });

  it('json-file reads max-size in decimal units, max-file and compress as Docker does', () => {
    expect(settings('json-file', { 'max-size': '10m', 'max-file': '3', compress: 'true' })).toEqual({ driver: 'json-file', maxSize: 10_000_000, maxFile: 3, compress: true });
    // Without max-size nothing rotates: max-file is accepted and keeps nothing more.
    expect(settings('json-file', { 'max-file': '3' })).toMatchObject({ maxSize: undefined, maxFile: 1 });
  });

  it('local has moby defaults: 20 MiB, 5 files, compressed', () => {
    expect(settings('local')).toEqual({ driver: 'local', maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true });
    expect(settings('local', { 'max-size': '1k', 'max-file': '1', compress: 'false' })).toEqual({ driver: 'local', maxSize: 1000, maxFile: 1, compress: false });
  });

  it('none keeps nothing and takes no options', () => {
    expect(settings('none')).toMatchObject({ driver: 'none' });
    expect(() => settings('none', { 'max-size': '1m' })).toThrow('invalid logging opts for driver none');
  });

  it.each([
    ['foo', {}, 'error looking up logging plugin foo: plugin "foo" not found'],
    ['journald', {}, 'logging driver "journald" is not supported by this engine (supported: json-file, local, none)'],
    ['json-file', { foo: 'x' }, "unknown log opt 'foo' for json-file log driver"],
    ['json-file', { tag: 'x' }, "log opt 'tag' is not supported by this engine's json-file log driver"],
    ['json-file', { 'max-size': '-1' }, "failed to initialize logging driver: invalid size: '-1'"],
    ['json-file', { 'max-size': '1m', 'max-file': 'two' }, 'failed to initialize logging driver: strconv.Atoi: parsing "two": invalid syntax'],
    ['json-file', { 'max-size': '1m', compress: 'true' }, 'failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set'],
    ['local', { foo: 'x' }, "unknown log opt 'foo' for log driver local"],
    ['local', { 'max-size': 'big' }, "failed to initialize logging driver: invalid value for max-size: big: invalid size: 'big'"],
    ['local', { compress: 'yes' }, 'failed to initialize logging driver: error reading compress log option: strconv.ParseBool: parsing "yes": invalid syntax'],
    ['local', { 'max-file': '1' }, 'failed to initialize logging driver: compression cannot be enabled when max file count is 1'],
  ])('refuses %s %o: %s', (driver, config, message) => {
    expect(() => settings(driver, config)).toThrow(message);
  });
});

describe('recordedLogSettings', () => {
  it('runs a container recorded with a driver or option refused now as an unbounded json-file log', () => {
    expect(recordedLogSettings({ Type: 'syslog', Config: {} })).toEqual({ driver: 'json-file', maxFile: 1, compress: false });
    expect(recordedLogSettings({ Type: 'json-file', Config: { 'max-size': '-1' } })).toEqual({ driver: 'json-file', maxFile: 1, compress: false });
    expect(recordedLogSettings({ Type: 'local', Config: {} })).toMatchObject({ driver: 'local', maxFile: 5 });
  });
});

describe('fromHumanSize', () => {
  it('reads go-units sizes: decimal, optional i and b, case-insensitive', () => {
    expect(fromHumanSize('512')).toBe(512);
    expect(fromHumanSize('1.5k')).toBe(1500);
    expect(fromHumanSize('10MB')).toBe(10_000_000);
    expect(fromHumanSize('2 GiB')).toBe(2_000_000_000);
    expect(() => fromHumanSize('1x')).toThrow("invalid size: '1x'");
  });
});
