import { describe, expect, it } from 'vitest';
import { accessLog, formatLine, messageLog } from './log-output.js';
import type { RequestRecord } from './request-observer.js';

const RECORD: RequestRecord = { method: 'PUT', path: '/v2/app/manifests/v1', handler: 'manifest', status: 201, bytesReceived: 900, bytesSent: 200, durationMs: 1.5, remoteAddress: '127.0.0.1', user: 'alice' };

describe('formatLine', () => {
  it('writes JSON, or logfmt pairs quoting what needs it', () => {
    expect(formatLine({ msg: 'request', status: 200 }, 'json')).toBe('{"msg":"request","status":200}\n');
    expect(formatLine({ level: 'info', msg: 'stopping: draining', status: 200, tags: ['a'] }, 'text')).toBe('level=info msg="stopping: draining" status=200 tags="[\\"a\\"]"\n');
  });
});

describe('accessLog', () => {
  it('writes one line per request with the static fields, the record winning a clash', () => {
    const lines: string[] = [];
    accessLog({ level: 'error', formatter: 'json', fields: { service: 'registry', status: 'clash' }, accessLog: true }, (line) => lines.push(line))!.finished(RECORD, undefined as never);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'request', service: 'registry', ...RECORD });
    expect(Date.parse(entry.time as string)).not.toBeNaN();
  });

  it('is off when log.accesslog.disabled is true', () => {
    expect(accessLog({ level: 'info', formatter: 'json', fields: {}, accessLog: false })).toBeUndefined();
  });
});

describe('messageLog', () => {
  it('writes info lines shaped as the logger\'s, with log.fields, unless log.level is above info', () => {
    const lines: string[] = [];
    messageLog({ level: 'info', formatter: 'text', fields: { service: 'registry' }, accessLog: true }, (line) => lines.push(line))('a pull-through cache of http://upstream');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^level=info time=\S+ pid=\d+ service=registry msg="a pull-through cache of http:\/\/upstream"\n$/);
    messageLog({ level: 'warn', formatter: 'json', fields: {}, accessLog: true }, (line) => lines.push(line))('quiet');
    expect(lines).toHaveLength(1);
  });
});
