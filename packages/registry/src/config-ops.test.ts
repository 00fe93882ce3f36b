import { describe, expect, it } from 'vitest';
import { parseRegistryConfig } from './config.js';

const parse = (text: string) => parseRegistryConfig(`version: 0.1\n${text}`, 'config.yml');

describe('log', () => {
  it('reads the level, the formatter, the static fields and the access log switch', () => {
    const { config, warnings } = parse('log:\n  level: debug\n  formatter: text\n  fields:\n    service: registry\n    environment: staging\n  accesslog:\n    disabled: true\n');
    expect(config.log).toEqual({ level: 'debug', formatter: 'text', fields: { service: 'registry', environment: 'staging' }, accessLog: false });
    expect(warnings).toEqual([]);
  });

  it('defaults to info, JSON, the access log on; Go\'s panic level is fatal', () => {
    expect(parse('log: {}\n').config.log).toEqual({ level: 'info', formatter: 'json', fields: {}, accessLog: true });
    expect(parse('log:\n  level: panic\n').config.log?.level).toBe('fatal');
    expect(parse('').config.log).toBeUndefined();
  });

  it.each([
    ['log:\n  level: loud\n', /log.level: must be one of error, warn, info, debug/],
    ['log:\n  formatter: logstash\n', /log.formatter: must be json or text, got "logstash"/],
    ['log:\n  fields: [a]\n', /log.fields: must be a mapping/],
    ['log:\n  accesslog:\n    disabled: maybe\n', /log.accesslog.disabled: must be true or false/],
    ['log:\n  hooks:\n    - type: mail\n', /log.hooks: not supported/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});

describe('health', () => {
  it('reads the storage driver check; Go\'s 10s interval by default', () => {
    expect(parse('health:\n  storagedriver:\n    enabled: true\n    interval: 2s\n    threshold: 3\n').config.health).toEqual({ intervalMs: 2000, threshold: 3 });
    expect(parse('health:\n  storagedriver:\n    enabled: true\n').config.health).toEqual({ intervalMs: 10_000, threshold: 0 });
  });

  it('runs no check unless enabled', () => {
    expect(parse('health:\n  storagedriver:\n    enabled: false\n    interval: 2s\n').config.health).toBeUndefined();
  });

  it.each([
    ['health:\n  storagedriver:\n    enabled: 1\n', /health.storagedriver.enabled: must be true or false/],
    ['health:\n  storagedriver:\n    enabled: true\n    interval: often\n', /health.storagedriver.interval: must be a duration/],
    ['health:\n  storagedriver:\n    enabled: true\n    threshold: -1\n', /health.storagedriver.threshold: must be a whole number/],
    ['health:\n  file:\n    - file: /tmp/down\n', /health.file: not supported; only health.storagedriver/],
    ['health:\n  http:\n    - uri: http://x\n', /health.http: not supported/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
