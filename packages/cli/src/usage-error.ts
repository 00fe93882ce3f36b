import { CommanderError, type Command } from 'commander';

/** A command line commander could not parse, with the command it was parsing. */
export class CommandLineError extends Error {
  constructor(
    readonly error: CommanderError,
    readonly command: Command,
  ) {
    super(error.message);
  }
}

/** Makes every command of the tree throw its parsing errors with itself attached (help and --version pass through). */
export function attachCommandToParseErrors(command: Command): void {
  command.exitOverride((err) => {
    throw err.exitCode === 0 || err.code === 'commander.help' ? err : new CommandLineError(err, command);
  });
  for (const sub of command.commands) attachCommandToParseErrors(sub);
}

/** "berth volume inspect": the program and the command's path. */
export function commandLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * The command's usage as docker writes it: `[OPTIONS]` when it has flags, then its arguments in capitals
 * (`CONTAINER [CONTAINER...]`), or `COMMAND` for a group; a usage the command sets in docker's style is kept.
 */
export function dockerUsage(command: Command): string {
  const own = command.usage();
  if (!/<|\[options\]|\[command\]/.test(own)) return own;
  if (command.commands.length) return 'COMMAND';
  const args = command.registeredArguments.map((arg) => {
    const name = arg.name().toUpperCase().replaceAll('-', '_');
    if (!arg.required) return arg.variadic ? `[${name}...]` : `[${name}]`;
    return arg.variadic ? `${name} [${name}...]` : name;
  });
  return [...(command.options.length ? ['[OPTIONS]'] : []), ...args].join(' ');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** docker's (cobra's) wording for a wrong number of arguments, and whether its hint says "See" or "Run". */
function argumentCountError(command: Command): { text: string; hint: 'See' | 'Run' } {
  const args = command.registeredArguments;
  const min = args.filter((arg) => arg.required).length;
  const max = args.at(-1)?.variadic ? Infinity : args.length;
  if (max === 0) return { text: 'accepts no arguments', hint: 'Run' };
  if (max === Infinity) return { text: `requires at least ${plural(min, 'argument')}`, hint: 'See' };
  if (min === max) return { text: `requires ${plural(min, 'argument')}`, hint: 'Run' };
  return { text: `requires at least ${min} and at most ${plural(max, 'argument')}`, hint: 'Run' };
}

/** The flag as the user wrote it: `--format`, or `'f' in -f` for a shorthand, as pflag names it. */
function writtenFlag(flags: string[], argv: string[]): string {
  const written = argv.findLast((arg) => flags.includes(arg)) ?? flags.at(-1) ?? '';
  return written.startsWith('--') ? written : `'${written.slice(1)}' in ${written}`;
}

/** How docker reports a command line it cannot parse: its message, the usage and help hint, and the exit status. */
export function describeCommandLineError(err: CommandLineError, argv: string[]): { text: string; exitCode: number } {
  const { command, error } = err;
  const line = commandLine(command);
  const usage = `Usage:  ${line} ${dockerUsage(command)}`.trimEnd();
  const footer = (hint: string) => `\n\n${hint} '${line} --help' for more information\n`;
  const program = commandLine(command).split(' ')[0]!;
  switch (error.code) {
    case 'commander.missingArgument':
    case 'commander.excessArguments': {
      const { text, hint } = argumentCountError(command);
      return { text: `${program}: '${line}' ${text}\n\n${usage}${footer(hint)}`, exitCode: 1 };
    }
    case 'commander.unknownCommand': {
      const unknown = `${program}: unknown command: ${line} ${command.args[0] ?? ''}`;
      return { text: command.parent ? `${unknown}\n\n${usage}${footer('Run')}` : `${unknown}${footer('Run')}`, exitCode: 1 };
    }
    case 'commander.unknownOption': {
      const flag = /'([^']*)'/.exec(error.message)?.[1] ?? '';
      // pflag names an unknown long flag without the value given to it.
      const text = flag.startsWith('--') ? `unknown flag: ${flag.split('=')[0]}` : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
      return { text: `${text}\n\n${usage}${footer('Run')}`, exitCode: USAGE_ERROR_EXIT_CODE };
    }
    case 'commander.optionMissingArgument': {
      const flags = (/'([^']*)'/.exec(error.message)?.[1] ?? '').split(/[ ,|]+/).filter((flag) => flag.startsWith('-'));
      return { text: `flag needs an argument: ${writtenFlag(flags, argv)}\n\n${usage}${footer('Run')}`, exitCode: USAGE_ERROR_EXIT_CODE };
    }
    case FLAG_VALUE_ERROR:
      return { text: `${error.message}\n\n${usage}${footer('Run')}`, exitCode: USAGE_ERROR_EXIT_CODE };
    default:
      return { text: `${error.message}\n`, exitCode: USAGE_ERROR_EXIT_CODE };
  }
}

/** The code of a parse error for a flag's value (pflag's "invalid argument … for … flag"). */
export const FLAG_VALUE_ERROR = 'berth.flagValue';

/** docker's status for a flag it cannot parse. */
export const USAGE_ERROR_EXIT_CODE = 125;
