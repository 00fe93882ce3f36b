import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';

export function defineImageSave(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<image...>')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], options: { output?: string }) => {
      const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
      if (options.output === undefined && stdout.isTTY) {
        throw new InvalidArgumentError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      if (options.output !== undefined) await checkOutputDirectory(options.output);
      const archive = await ctx.client().saveImages(images);
      await pipeline(archive, options.output === undefined ? stdout : createWriteStream(options.output));
    });
}

/** docker checks the output's directory before asking for the archive, with its atomic writer's words. */
async function checkOutputDirectory(output: string): Promise<void> {
  const directory = dirname(normalize(output));
  try {
    await stat(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new InvalidArgumentError(`failed to save image: invalid output path: stat ${directory}: no such file or directory`, { cause: err });
  }
}
