import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { conmonReports } from './conmon-reports.js';
import { OciRuntimeError } from './runtime-errors.js';

describe('conmonReports', () => {
  it('yields the reports in order, across chunk boundaries, then null at the end', async () => {
    const pipe = new PassThrough();
    const next = conmonReports(pipe, 'sync');
    pipe.write('{"data": 42}\n{"data": -1, "mess');
    pipe.end('age": "exec failed"}\n');
    await expect(next()).resolves.toEqual({ data: 42, message: undefined });
    await expect(next()).resolves.toEqual({ data: -1, message: 'exec failed' });
    await expect(next()).resolves.toBeNull();
    await expect(next()).resolves.toBeNull();
  });

  it('answers a call made before the report arrives', async () => {
    const pipe = new PassThrough();
    const next = conmonReports(pipe, 'attach');
    const pending = next();
    pipe.write('{"data": 0}\n');
    await expect(pending).resolves.toEqual({ data: 0, message: undefined });
  });

  it('passes over blank lines and lines without a numeric data field', async () => {
    const pipe = new PassThrough();
    const next = conmonReports(pipe, 'sync');
    pipe.end('\n{"note": 1}\n{"data": "7"}\n{"data": 7}\n');
    await expect(next()).resolves.toEqual({ data: 7, message: undefined });
    await expect(next()).resolves.toBeNull();
  });

  it('rejects an unreadable line, for this call and every later one', async () => {
    const pipe = new PassThrough();
    const next = conmonReports(pipe, 'sync');
    pipe.end('not json\n{"data": 1}\n');
    await expect(next()).rejects.toThrow(new OciRuntimeError('conmon sent an unreadable report: not json'));
    await expect(next()).rejects.toBeInstanceOf(OciRuntimeError);
  });

  it('rejects when the pipe fails', async () => {
    const pipe = new PassThrough();
    const next = conmonReports(pipe, 'sync');
    const pending = next();
    pipe.destroy(new Error('EIO'));
    await expect(pending).rejects.toThrow('conmon sync pipe failed: EIO');
  });
});
