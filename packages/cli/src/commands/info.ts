import type { Command } from 'commander';
import type { InfoResponse } from '@berth/api';
import { CLI_VERSION } from '../cli-version.js';
import type { CommandContext } from '../context.js';
import { checkTemplate, objectTemplate, renderTemplate } from '../format/go-template.js';
import { bytesSize } from '../format/human-size.js';
import { INSPECT_FORMAT_HELP } from '../format/format-help.js';

export function registerInfo(program: Command, ctx: CommandContext): void {
  program
    .command('info')
    .description('Display system-wide information')
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .action(async (options: { format?: string }) => {
      if (options.format) {
        const format = objectTemplate(options.format);
        checkTemplate(format);
        ctx.out(`${renderTemplate(format, await ctx.client().info())}\n`);
        return;
      }
      ctx.out(['Client:', ` Version:    ${CLI_VERSION}`, ' Context:    default', ' Debug Mode: false', '', ''].join('\n'));
      const info = await ctx.client().info();
      ctx.out(serverInfo(info));
      // As docker, the daemon's warnings go to stderr after the rest (each already starts with "WARNING:").
      for (const warning of info.Warnings ?? []) ctx.err(`${warning}\n`);
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
