import type { Command } from 'commander';
import { writeArchive } from '../archive-output.js';
import type { CommandContext } from '../context.js';

/** `export` and `container export`: the container's filesystem as a tar archive. */
export function defineExport(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description("Export a container's filesystem as a tar archive")
    .argument('<container>')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .action(async (container: string, options: { output?: string }) => {
      await writeArchive(ctx, options.output, 'export container', () => ctx.client().exportContainer(container));
    });
}
