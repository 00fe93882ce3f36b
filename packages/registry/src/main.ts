import { Command, CommanderError } from 'commander';
import type { FastifyInstance } from 'fastify';
import { loadRegistryConfig, type RegistryConfig } from './config.js';
import { openBackend } from './bin/open-backend.js';
import { openAuth, type OpenedAuth } from './http/auth/open-auth.js';
import { createRegistryServer } from './http/registry-routes.js';
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

async function serve(configPath: string): Promise<number> {
  let parsed;
  let auth: OpenedAuth | undefined;
  try {
    parsed = await loadRegistryConfig(configPath);
    auth = parsed.config.auth && (await openAuth(parsed.config.auth));
  } catch (err) {
    process.stderr.write(`berth-registry: ${(err as Error).message}\n`);
    return 1;
  }
  const { config, warnings } = parsed;
  for (const warning of warnings) process.stderr.write(`berth-registry: warning: ${configPath}: ${warning}\n`);
  const log = (message: string) => process.stderr.write(`berth-registry: ${message}\n`);
  const opened = await openBackend(config, log);
  if (config.proxy) log(`a pull-through cache of ${config.proxy.remoteUrl}`);
  const app = createRegistryServer(opened.backend, { deleteEnabled: config.storage.deleteEnabled, authorize: auth?.authorize });
  if (auth?.tokenEndpoint) void app.register(auth.tokenEndpoint);
  await listen(app, config.http);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await opened.close();
  return 0;
}

/** `:port` listens on every interface, IPv6 and IPv4 as Go does, or IPv4 alone where the host has no IPv6. */
async function listen(app: FastifyInstance, { host, port }: RegistryConfig['http']): Promise<void> {
  if (host !== undefined) {
    await app.listen({ host, port });
    return;
  }
  try {
    await app.listen({ host: '::', port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
    await app.listen({ host: '0.0.0.0', port });
  }
}
