import { Command, CommanderError } from 'commander';
import { serve } from './serve.js';
import { garbageCollectCommand } from './storage/garbage-collect-command.js';

/** `berth-registry serve CONFIG` serves until SIGINT or SIGTERM, then finishes in-flight requests; `garbage-collect CONFIG` sweeps. Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('berth-registry').description('A standalone OCI distribution registry').exitOverride();
  let served: Promise<number> = Promise.resolve(0);
  program
    .command('serve')
    .description('serve the registry described by a config.yml')
    .argument('<config>', 'the configuration file (the Go registry\'s config.yml keys)')
    .action((configPath: string) => {
      served = serve(configPath);
    });
  program
    .command('garbage-collect')
    .description('delete the blobs no manifest references, while the registry keeps serving')
    .argument('<config>', 'the configuration file of the registry')
    .option('-d, --dry-run', 'report what would be deleted, delete nothing')
    .option('-m, --delete-untagged', 'also delete manifests that no tag reaches')
    .option('--grace <duration>', 'leave alone whatever was written this recently (e.g. 30m, 1h, 0s)', '1h')
    .action((configPath: string, options: { dryRun?: boolean; deleteUntagged?: boolean; grace: string }) => {
      served = garbageCollectCommand(configPath, options);
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return served;
}
