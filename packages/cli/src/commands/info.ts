import type { Command } from 'commander';
import type { InfoResponse } from '@berth/api';
import { CLI_VERSION } from '../cli-version.js';
import type { CommandContext } from '../context.js';
import { bytesSize } from '../format/human-size.js';

export function registerInfo(program: Command, ctx: CommandContext): void {
  program
    .command('info')
    .description('Display system-wide information')
    .action(async () => {
      ctx.out(['Client:', ` Version:    ${CLI_VERSION}`, ' Context:    default', ' Debug Mode: false', '', ''].join('\n'));
      ctx.out(serverInfo(await ctx.client().info()));
    });
}

function serverInfo(info: InfoResponse): string {
  return [
    'Server:',
    ` Containers: ${info.Containers}`,
    `  Running: ${info.ContainersRunning}`,
    `  Paused: ${info.ContainersPaused}`,
    `  Stopped: ${info.ContainersStopped}`,
    ` Images: ${info.Images}`,
    ` Server Version: ${info.ServerVersion}`,
    ` Storage Driver: ${info.Driver}`,
    ` Cgroup Driver: ${info.CgroupDriver}`,
    ` Cgroup Version: ${info.CgroupVersion}`,
    ` Default Runtime: ${info.DefaultRuntime}`,
    ` Kernel Version: ${info.KernelVersion}`,
    ` Operating System: ${info.OperatingSystem}`,
    ` OSType: ${info.OSType}`,
    ` Architecture: ${info.Architecture}`,
    ` CPUs: ${info.NCPU}`,
    ` Total Memory: ${bytesSize(info.MemTotal)}`,
    ` Name: ${info.Name}`,
    ` ID: ${info.ID}`,
    ` Docker Root Dir: ${info.DockerRootDir}`,
    '',
  ].join('\n');
}
