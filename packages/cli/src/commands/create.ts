import type { Command } from 'commander';
import type { ContainerCreateRequest } from '@berth/api';
import type { CommandContext } from '../context.js';
import { createContainer } from '../create-container.js';
import { applyApiSocket, checkPullFlag, withCreateOptions, type CreateFlags } from '../create-flags.js';
import { localhostDnsWarnings } from '../network-flags.js';
import { buildRunConfig, withContainerConfigOptions, type RunOptions } from '../run-config.js';
import { reportRunFailure } from '../run-failure.js';
import { windowsOnlyFlag } from '../resource-flags.js';
import { applyPolicyFlags, withPolicyOptions, type PolicyFlags } from '../policy-flags.js';

/** `berth create`: the container `run` would start, created only; prints its ID. */
export function registerCreate(program: Command, ctx: CommandContext): void {
  withContainerConfigOptions(withCreateOptions(withPolicyOptions(program.command('create')), 'create', ctx.env))
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    // -h is --hostname here, as in docker, whose run and create then list their --help.
    .helpOption('--help', 'Print usage')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .action(async (image: string, command: string[], options: RunOptions & PolicyFlags & CreateFlags) => {
      let config: ContainerCreateRequest;
      try {
        const windowsOnly = windowsOnlyFlag(options);
        if (windowsOnly) {
          ctx.err(`${windowsOnly}\n`);
          ctx.exitCode = 1;
          return;
        }
        checkPullFlag(options);
        config = applyPolicyFlags(buildRunConfig(image, command, options, ctx.env), options);
      } catch (err) {
        // As docker create: flags it refuses end with status 125 and the usage hint, daemon errors with 1.
        ctx.exitCode = reportRunFailure(ctx, err);
        return;
      }
      await applyApiSocket(ctx, config, options);
      const created = await createContainer(ctx, config, options);
      for (const warning of [...(created.Warnings ?? []), ...localhostDnsWarnings(config)]) ctx.err(`WARNING: ${warning}\n`);
      ctx.out(`${created.Id}\n`);
    });
}
