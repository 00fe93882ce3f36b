import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { processTable } from './process-table.js';

describe('processTable', () => {
  it("returns the host's ps output for the given arguments", async () => {
    expect((await processTable(['-o', 'pid=', '-p', String(process.pid)])).trim()).toBe(String(process.pid));
  });

  it("reports ps's own complaint about its arguments as an InvalidArgumentError (a 400)", async () => {
    const err = await processTable(['--no-such-option']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/^ps: .+/);
  });

  // Found by the fuzz suite: `GET /containers/{id}/top?ps_args=-1` was a 500 with the message "ps: ".
  it('names the exit status when ps refuses its arguments without a word', async () => {
    const err = await processTable(['-1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/^ps: .+/);
  });
});
