import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { buildRunConfig, type RunOptions } from '../run-config.js';
import { applyPolicyFlags, withPolicyOptions, type PolicyFlags } from '../policy-flags.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `berth create`: the container `run` would start, created only; prints its ID. */
export function registerCreate(program: Command, ctx: CommandContext): void {
  withPolicyOptions(program.command('create'))
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .option('--name <name>', 'Assign a name to the container')
    .option('-e, --env <env>', 'Set environment variables', collect, [])
    .option('-w, --workdir <dir>', 'Working directory inside the container')
    .option('--entrypoint <command>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-v, --volume <volume>', 'Bind mount a volume', collect, [])
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect, [])
    .option('--tmpfs <tmpfs>', 'Mount a tmpfs directory', collect, [])
    .option('--volumes-from <container>', 'Mount volumes from the specified container(s)', collect, [])
    .passThroughOptions()
    .action(async (image: string, command: string[], options: RunOptions & PolicyFlags) => {
      const created = await ctx.client().createContainer(applyPolicyFlags(buildRunConfig(image, command, options, ctx.env), options), { name: options.name });
      for (const warning of created.Warnings ?? []) ctx.err(`WARNING: ${warning}\n`);
      ctx.out(`${created.Id}\n`);
    });
}
