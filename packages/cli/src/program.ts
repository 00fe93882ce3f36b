import { CLI_VERSION } from './cli-version.js';
import { defineContainerGroupCommands, registerContainerOps } from './commands/container-ops.js';
import { registerCreate } from './commands/create.js';
import { registerEvents } from './commands/events.js';
import { defineBuild } from './commands/build.js';
import { registerBuilder } from './commands/builder.js';
import { registerCommit } from './commands/commit.js';
import { registerImageCommands } from './commands/image.js';
import { registerImages } from './commands/images.js';
import { registerSystem } from './commands/system-df.js';
import { registerInfo } from './commands/info.js';
import { registerInspect } from './commands/inspect.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerLoad } from './commands/load.js';
import { registerLogs } from './commands/logs.js';
import { registerExec } from './commands/exec.js';
import { registerNetwork } from './commands/network.js';
import { registerPort } from './commands/port.js';
import { registerPs } from './commands/ps.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerRm } from './commands/rm.js';
import { registerRun } from './commands/run.js';
import { registerVersion } from './commands/version.js';
import { registerVolume } from './commands/volume.js';
import { CommandContext, type CliIo } from './context.js';
import { configDir, type GlobalOptions } from './contexts/endpoint.js';
import { registerContext } from './commands/context.js';
import { useDockerHelp } from './docker-help.js';
import { PflagCommand } from './pflag-command.js';
import type { Command } from 'commander';
import { attachCommandToParseErrors, dockerUsage } from './usage-error.js';

/** The `berth` command tree, bound to one context whose client honours the global -H flag. */
export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv): { program: Command; ctx: CommandContext } {
  const program = new PflagCommand('berth');
  const ctx = new CommandContext(io, env, () => program.opts<GlobalOptions>());
  // The defaults docker shows: resolved from the environment before any flag is read.
  const config = configDir({}, env);
  const certPath = env.DOCKER_CERT_PATH || config;
  program
    .description('A self-sufficient runtime for containers')
    .usage('[OPTIONS] COMMAND')
    .version(`Berth version ${CLI_VERSION}`, '-v, --version', 'Print version information and quit')
    .option('--config <string>', `Location of client config files (default "${config}")`)
    .option('-c, --context <string>', 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")')
    .option('-H, --host <list>', 'Daemon socket to connect to')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlscacert <string>', `Trust certs signed only by this CA (default "${certPath}/ca.pem")`)
    .option('--tlscert <string>', `Path to TLS certificate file (default "${certPath}/cert.pem")`)
    .option('--tlskey <string>', `Path to TLS key file (default "${certPath}/key.pem")`)
    .option('--tlsverify', 'Use TLS and verify the remote')
    // As in docker, global flags come before the command and a command's flags before its arguments.
    .enablePositionalOptions()
    .exitOverride()
    // Parsing errors are written by `main`, in docker's words.
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text), outputError: () => undefined })
    .hook('preAction', (_, action) => {
      const path: string[] = [];
      for (let command: Command | null = action; command?.parent; command = command.parent) path.unshift(command.name());
      ctx.command = { path: path.join(' '), usage: dockerUsage(action) };
    });
  registerVersion(program, ctx);
  registerVolume(program, ctx);
  registerNetwork(program, ctx);
  registerImages(program, ctx);
  registerImageCommands(program, ctx);
  defineBuild(program, ctx);
  registerBuilder(program, ctx);
  registerPs(program, ctx);
  registerInspect(program, ctx);
  // docker's container commands, each at the top level and in the `container` group.
  const container = program.command('container').description('Manage containers');
  for (const parent of [program, container]) {
    registerRun(parent, ctx);
    registerCreate(parent, ctx);
    registerRm(parent, ctx);
    registerLifecycle(parent, ctx);
    registerLogs(parent, ctx);
    registerExec(parent, ctx);
    registerPort(parent, ctx);
    registerCommit(parent, ctx);
    registerContainerOps(parent, ctx);
  }
  defineContainerGroupCommands(container, ctx);
  registerLoad(program, ctx);
  registerRegistryCommands(program, ctx);
  // events and info are also `system events` and `system info`.
  const system = registerSystem(program, ctx);
  for (const parent of [program, system]) {
    registerEvents(parent, ctx);
    registerInfo(parent, ctx);
  }
  registerContext(program, ctx);
  useDockerHelp(program, ctx);
  attachCommandToParseErrors(program);
  return { program, ctx };
}
