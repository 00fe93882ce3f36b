import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { openArchive } from '../open-archive.js';
import { splitTag } from '../format/image-reference.js';
import { collect } from '../repeatable-flags.js';

export function defineImageImport(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description('Import the contents from a tarball to create a filesystem image')
    .argument('<file>', 'a tar archive, or - for STDIN')
    .argument('[reference]', 'REPOSITORY[:TAG]')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect, [])
    .option('-m, --message <string>', 'Set commit message for imported image')
    .action(async (file: string, reference: string | undefined, options: { change: string[]; message?: string }) => {
      const tar = file === '-' ? ctx.io.stdin : (await openArchive(file)).createReadStream();
      const target: { repository?: string; tag?: string } = reference === undefined ? {} : splitTag(reference);
      const id = await ctx.client().importImage(tar, {
        repo: target.repository,
        tag: target.tag,
        message: options.message,
        changes: options.change,
      });
      ctx.out(`${id}\n`);
    });
}
