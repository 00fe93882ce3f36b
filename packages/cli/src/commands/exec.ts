import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../repeatable-flags.js';
import { forwardStdin } from '../stdin-forwarding.js';
import { forwardTerminalSize, terminalSize } from '../terminal-size.js';

interface ExecOptions {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
  detachKeys?: string;
}

export function registerExec(program: Command, ctx: CommandContext): void {
  program
    .command('exec')
    .description('Execute a command in a running container')
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .argument('<container>')
    .argument('<command...>')
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('--privileged', 'Give extended privileges to the command')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .passThroughOptions()
    .action(async (container: string, command: string[], options: ExecOptions) => {
      ctx.exitCode = await runExec(ctx, container, command, options);
    });
}

async function runExec(ctx: CommandContext, container: string, command: string[], options: ExecOptions): Promise<number> {
  const tty = Boolean(options.tty);
  if (tty && options.interactive && !ctx.io.stdin.isTTY) {
    ctx.err('the input device is not a TTY\n');
    return 1;
  }
  const client = ctx.client();
  const { Id } = await client.createExec(container, {
    Cmd: command,
    AttachStdin: Boolean(options.interactive) && !options.detach,
    AttachStdout: !options.detach,
    AttachStderr: !options.detach,
    Tty: tty,
    Env: options.env,
    User: options.user,
    WorkingDir: options.workdir,
    Privileged: options.privileged,
    // As docker, config.json's detachKeys stand in for a missing --detach-keys.
    DetachKeys: options.detachKeys || ctx.settings().detachKeys,
    ConsoleSize: tty ? terminalSize(ctx.io.stdout) : undefined,
  });
  if (options.detach) {
    await client.startExecDetached(Id);
    return 0;
  }
  const attachment = await client.startExec(Id, { tty });
  attachment.socket.on('error', () => undefined);
  const output = attachment.copyOutput(ctx.io.stdout, ctx.io.stderr);
  const stdin = options.interactive ? forwardStdin(ctx.io.stdin, attachment.socket, tty) : undefined;
  if (!options.interactive) attachment.socket.end();
  const size = tty ? forwardTerminalSize(ctx.io.stdout, (h, w) => client.resizeExec(Id, h, w)) : undefined;
  try {
    await output;
  } finally {
    stdin?.stop();
    size?.stop();
  }
  const inspected = await client.inspectExec(Id);
  return inspected.ExitCode ?? 0;
}
