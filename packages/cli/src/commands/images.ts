import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { imageRows, imageTableRows } from '../format/image-table.js';
import { formatTable } from '../format/tabwriter.js';

export function registerImages(program: Command, ctx: CommandContext): void {
  program
    .command('images')
    .description('List images')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (options: { all?: boolean; quiet?: boolean }) => {
      const images = await ctx.client().listImages({ all: options.all });
      if (options.quiet) {
        for (const row of imageRows(images, ctx.now())) ctx.out(`${row.id}\n`);
        return;
      }
      ctx.out(formatTable(imageTableRows(images, ctx.now())));
    });
}
