import type { Command } from 'commander';
import { writeArchive } from '../archive-output.js';
import type { CommandContext } from '../context.js';

export function defineImageSave(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<image...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], options: { output?: string }) => {
      await writeArchive(ctx, options.output, 'save image', () => ctx.client().saveImages(images));
    });
}
