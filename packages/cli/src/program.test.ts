import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';
import { dockerUsage } from './usage-error.js';

const io = { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() };
const build = (...args: string[]): Command => buildProgram(io, {}, ['node', 'berth', ...args]).program;
// `help` is the help command's own, always there.
const names = (program: Command): string[] => program.commands.map((c) => c.name()).filter((name) => name !== 'help');

/**
 * What a command line that names the command can reach: its usage, flags, arguments and subcommands, and a
 * group's help (printed when no subcommand is given). A command's own help is built from the whole tree.
 */
function shape(command: Command): unknown {
  return {
    usage: dockerUsage(command),
    description: command.description(),
    aliases: command.aliases(),
    options: command.options.map((o) => [o.flags, o.description, o.defaultValue, o.negate, o.hidden, o.argChoices]),
    args: command.registeredArguments.map((a) => [a.name(), a.required, a.variadic, a.defaultValue]),
    groupHelp: command.commands.length ? command.helpInformation() : undefined,
    commands: command.commands.map(shape),
  };
}

describe('buildProgram given a command line', () => {
  const full = buildProgram(io, {}).program;

  it('builds each top-level command (by name and by alias) as the whole tree has it', () => {
    for (const command of full.commands) {
      for (const word of [command.name(), ...command.aliases()]) {
        const lazy = build(word).commands.find((c) => c.name() === command.name());
        // Missing or different: REGISTRARS in program.ts lacks this command under the registrar that defines it.
        expect(lazy && shape(lazy), word).toEqual(shape(command));
      }
    }
  });

  it('runs only the registrars of the command it names, past global flags and their values', () => {
    expect(names(build('ps'))).toEqual(['ps']);
    expect(names(build('-H', 'unix:///x', 'ps', '-a'))).toEqual(['ps']);
    expect(names(build('--host=unix:///x', '--tls', '--tlscacert', 'ca.pem', 'version'))).toEqual(['version']);
    expect(names(build('stop', 'c'))).toEqual(['start', 'stop', 'kill', 'wait']);
  });

  it('builds no command for a line that only asks for the version', () => {
    expect(names(build('--version'))).toEqual([]);
    expect(names(build('-H', 'unix:///x', '-v'))).toEqual([]);
  });

  it('builds the whole tree for help, an unknown command or no command line', () => {
    const all = names(full);
    for (const args of [[], ['--help'], ['ps', '-h'], ['-v', '--help'], ['help', 'ps'], ['nosuch'], ['-H', 'ps']]) expect(names(build(...args)), args.join(' ')).toEqual(all);
  });
});
