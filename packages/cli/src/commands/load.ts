import type { Command } from 'commander';
import { InvalidArgumentError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { openArchive } from '../open-archive.js';
import { ProgressDisplay, progressOutput } from '../progress-display.js';

export function registerLoad(program: Command, ctx: CommandContext): void {
  program
    .command('load')
    .description('Load an image from a tar archive or STDIN')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (options: { input?: string; quiet?: boolean }) => {
      if (!options.input && ctx.io.stdin.isTTY) throw new InvalidArgumentError('requested load from stdin, but stdin is empty');
      const archive = options.input ? (await openArchive(options.input)).createReadStream() : ctx.io.stdin;
      const output = progressOutput(ctx.io.stdout);
      // As docker: progress bars only for a terminal; elsewhere the daemon is asked for none.
      const quiet = options.quiet || output.terminalWidth() === undefined;
      const display = new ProgressDisplay(output);
      for await (const message of ctx.client().loadImage(archive, { quiet })) display.show(message);
    });
}
