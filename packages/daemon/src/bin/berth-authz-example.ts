#!/usr/bin/env node
// The example authorization plugin: berthd --authorization-plugin=berth-authz-example (or dockerd's) finds it by its socket.
import { rm } from 'node:fs/promises';
import { Command } from 'commander';
import { serveExamplePlugin } from '../authz/example-plugin.js';

const program = new Command('berth-authz-example')
  .description('An authorization plugin (Docker protocol) refusing privileged containers and execs and host bind mounts; prints one JSON line per decision')
  .option('--socket <path>', 'unix socket to serve on', '/run/docker/plugins/berth-authz-example.sock');

async function main(): Promise<void> {
  program.parse();
  const { socket } = program.opts<{ socket: string }>();
  const server = await serveExamplePlugin(socket, (decision) => process.stdout.write(`${JSON.stringify(decision)}\n`));
  process.stderr.write(`berth-authz-example serving on ${socket}\n`);
  const stop = () => {
    server.close();
    rm(socket, { force: true }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth-authz-example: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
