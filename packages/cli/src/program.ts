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

type Registrar = (parent: Command, ctx: CommandContext) => void;
type Registration = readonly [Registrar, ...string[]];

/** docker's container commands, each at the top level and in the `container` group, with the commands each defines. */
const CONTAINER_COMMANDS: readonly Registration[] = [
  [registerRun, 'run'],
  [registerCreate, 'create'],
  [registerRm, 'rm'],
  [registerLifecycle, 'start', 'stop', 'kill', 'wait'],
  [registerLogs, 'logs'],
  [registerExec, 'exec'],
  [registerPort, 'port'],
  [registerCommit, 'commit'],
  [registerContainerOps, 'restart', 'pause', 'unpause', 'rename', 'update', 'top', 'stats', 'diff', 'export', 'attach', 'cp'],
];

function registerContainerGroup(program: Command, ctx: CommandContext): void {
  const container = program.command('container').description('Manage containers');
  for (const [register] of CONTAINER_COMMANDS) register(container, ctx);
  defineContainerGroupCommands(container, ctx);
}

/** events and info are also `system events` and `system info`. */
function registerSystemGroup(program: Command, ctx: CommandContext): void {
  const system = registerSystem(program, ctx);
  registerEvents(system, ctx);
  registerInfo(system, ctx);
}

/** Each registrar, in the order they build the tree, with the top-level commands it defines. */
const REGISTRARS: readonly Registration[] = [
  [registerVersion, 'version'],
  [registerVolume, 'volume'],
  [registerNetwork, 'network'],
  [registerImages, 'images'],
  [registerImageCommands, 'rmi', 'tag', 'history', 'save', 'import', 'image'],
  [defineBuild, 'build'],
  [registerBuilder, 'builder'],
  [registerPs, 'ps'],
  [registerInspect, 'inspect'],
  [registerContainerGroup, 'container'],
  ...CONTAINER_COMMANDS,
  [registerLoad, 'load'],
  [registerRegistryCommands, 'pull', 'push', 'login', 'logout'],
  [registerSystemGroup, 'system'],
  [registerEvents, 'events'],
  [registerInfo, 'info'],
  [registerContext, 'context'],
];

const ALL = REGISTRARS.map(([register]) => register);

/**
 * The registrars a command line needs: those of the command it names (its first word that is neither a global
 * flag nor such a flag's value), none when it only asks for the version, and all for an unknown command or
 * help (whose Aliases line names the command's other paths, which other registrars define).
 */
function registrarsFor(program: Command, argv: readonly string[]): Registrar[] {
  if (argv.some((arg) => arg === '-h' || arg.startsWith('--help'))) return ALL;
  const flags: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      const named = REGISTRARS.filter(([, ...names]) => names.includes(arg));
      return named.length ? named.map(([register]) => register) : ALL;
    }
    flags.push(arg);
    if (program.options.find((o) => o.short === arg || o.long === arg)?.required) i++;
  }
  return flags.some((f) => f === '-v' || f === '--version') ? [] : ALL;
}

/**
 * The `berth` command tree, bound to one context whose client honours the global -H flag. Given the command
 * line, it holds only the commands that line can run: building the whole tree took a fifth of berth's start-up.
 */
export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv, argv?: readonly string[]): { program: Command; ctx: CommandContext } {
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
  for (const register of argv ? registrarsFor(program, argv) : ALL) register(program, ctx);
  useDockerHelp(program, ctx);
  attachCommandToParseErrors(program);
  return { program, ctx };
}
