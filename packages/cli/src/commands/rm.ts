import type { Command } from 'commander';
import { NotFoundError } from '@berth/api';
import type { CommandContext } from '../context.js';
import { forEachContainer } from '../each-container.js';

export function registerRm(program: Command, ctx: CommandContext): void {
  const rm = program.command('rm');
  // As docker, `container rm` is also `container remove`; the top-level rm has no other name.
  if (program.name() === 'container') rm.alias('remove');
  rm
    .description('Remove one or more containers')
    .argument('<container...>')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (names: string[], options: { force?: boolean; volumes?: boolean }) => {
      ctx.exitCode = await forEachContainer(
        ctx,
        names,
        (name) => ctx.client().removeContainer(name, { force: options.force, volumes: options.volumes }),
        // Like docker, `rm -f` of a container that does not exist reports it but does not fail.
        (err) => Boolean(options.force) && err instanceof NotFoundError,
      );
    });
}
