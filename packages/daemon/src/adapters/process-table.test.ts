import { describe, expect, it } from 'vitest';
import { InternalError } from '@berth/api';
import { processTable } from './process-table.js';

describe('processTable', () => {
  it("returns the host's ps output for the given arguments", async () => {
    expect((await processTable(['-o', 'pid=', '-p', String(process.pid)])).trim()).toBe(String(process.pid));
  });

  it("reports ps's own complaint as an InternalError", async () => {
    const err = await processTable(['--no-such-option']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).toMatch(/^ps: .+/);
  });
});
