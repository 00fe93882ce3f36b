import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { buildRunConfig, withContainerConfigOptions, type RunOptions } from '../run-config.js';
import { applyPolicyFlags, withPolicyOptions, type PolicyFlags } from '../policy-flags.js';

/** `berth create`: the container `run` would start, created only; prints its ID. */
export function registerCreate(program: Command, ctx: CommandContext): void {
  withContainerConfigOptions(withPolicyOptions(program.command('create')))
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .action(async (image: string, command: string[], options: RunOptions & PolicyFlags) => {
      const created = await ctx.client().createContainer(applyPolicyFlags(buildRunConfig(image, command, options, ctx.env), options), { name: options.name });
      for (const warning of created.Warnings ?? []) ctx.err(`WARNING: ${warning}\n`);
      ctx.out(`${created.Id}\n`);
    });
}
