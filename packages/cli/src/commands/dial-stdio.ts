import { connect, type Socket } from 'node:net';
import type { Command } from 'commander';
import { parseHost } from '@berth/client';
import type { CommandContext } from '../context.js';

/**
 * `system dial-stdio`, hidden as in docker: relays stdin and stdout to a connection to the daemon, for a client
 * on another host that reached this one by ssh. Each direction is closed when its side ends.
 */
export function defineDialStdio(system: Command, ctx: CommandContext): void {
  system
    .command('dial-stdio', { hidden: true })
    .description('Proxy the stdio stream to the daemon connection. Should not be invoked manually.')
    .action(async () => {
      const address = parseHost(ctx.endpoint().host);
      const socket: Socket = address.socketPath ? connect(address.socketPath) : connect(address.port!, address.host);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => {
          ctx.io.stdin.pipe(socket);
          socket.pipe(ctx.io.stdout);
        });
        socket.once('error', reject);
        socket.once('close', () => {
          // The daemon is gone: what is still arriving on stdin has nowhere to go.
          ctx.io.stdin.unpipe(socket);
          ctx.io.stdin.destroy();
          resolve();
        });
      });
    });
}
