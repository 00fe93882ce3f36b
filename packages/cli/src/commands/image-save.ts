import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';

export function defineImageSave(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<image...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], options: { output?: string }) => {
      const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
      if (options.output === undefined && stdout.isTTY) {
        throw new InvalidArgumentError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      const archive = await ctx.client().saveImages(images);
      await pipeline(archive, options.output === undefined ? stdout : createWriteStream(options.output));
    });
}
