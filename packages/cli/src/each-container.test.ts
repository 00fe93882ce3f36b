import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@berth/api';
import { CommandContext } from './context.js';
import { forEachContainer } from './each-container.js';

function context(): { ctx: CommandContext; stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  return { ctx: new CommandContext({ stdin: new PassThrough(), stdout, stderr }, {}, () => ({})), stdout, stderr };
}

describe('forEachContainer', () => {
  it('prints each success as it goes, the failures afterwards, and fails with status 1', async () => {
    const { ctx, stdout, stderr } = context();
    const status = await forEachContainer(ctx, ['a', 'missing', 'b'], async (name) => {
      if (name === 'missing') throw new NotFoundError('No such container: missing');
      return name === 'b' ? '0' : undefined;
    });
    expect(status).toBe(1);
    expect(stdout.read()?.toString()).toBe('a\n0\n');
    expect(stderr.read()?.toString()).toBe('No such container: missing\n');
  });

  it('reports tolerated failures without failing', async () => {
    const { ctx, stdout, stderr } = context();
    const status = await forEachContainer(
      ctx,
      ['gone'],
      async () => {
        throw new NotFoundError('No such container: gone');
      },
      (err) => err instanceof NotFoundError,
    );
    expect(status).toBe(0);
    expect(stdout.read()).toBeNull();
    expect(stderr.read()?.toString()).toBe('No such container: gone\n');
  });
});
