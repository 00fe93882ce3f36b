import { Help, type Command, type Option } from 'commander';
import type { Writable } from 'node:stream';
import type { CommandContext } from './context.js';
import { commandLine, dockerUsage } from './usage-error.js';

/**
 * docker's `aliases` annotations: every path of a command reachable several ways, in docker's order. A command
 * in none of them lists its own path and its aliases, as cobra does.
 */
const ALIAS_GROUPS = [
  ['container attach', 'attach'],
  ['container commit', 'commit'],
  ['container cp', 'cp'],
  ['container create', 'create'],
  ['container diff', 'diff'],
  ['container exec', 'exec'],
  ['container export', 'export'],
  ['container kill', 'kill'],
  ['container logs', 'logs'],
  ['container ls', 'container list', 'container ps', 'ps'],
  ['container pause', 'pause'],
  ['container port', 'port'],
  ['container rename', 'rename'],
  ['container restart', 'restart'],
  ['container rm', 'container remove', 'rm'],
  ['container run', 'run'],
  ['container start', 'start'],
  ['container stats', 'stats'],
  ['container stop', 'stop'],
  ['container top', 'top'],
  ['container unpause', 'unpause'],
  ['container update', 'update'],
  ['container wait', 'wait'],
  ['image build', 'build', 'builder build'],
  ['image history', 'history'],
  ['image import', 'import'],
  ['image load', 'load'],
  ['image ls', 'image list', 'images'],
  ['image pull', 'pull'],
  ['image push', 'push'],
  ['image rm', 'image remove', 'rmi'],
  ['image save', 'save'],
  ['image tag', 'tag'],
  ['system events', 'events'],
  ['system info', 'info'],
];

/** docker's "Common Commands" of the root help, in its order (the `category-top` annotations). */
const COMMON_COMMANDS = ['run', 'exec', 'ps', 'build', 'pull', 'push', 'images', 'login', 'logout', 'search', 'version', 'info'];

const ROOT_FOOTER = 'For more help on how to use Docker, head to https://docs.docker.com/go/guides/';

/** cobra's least width of a command's name in a list. */
const MIN_NAME_PADDING = 11;

/** The command `words` (a path below `root`, aliases allowed) names, if there is one. */
export function findCommand(root: Command, words: string[]): Command | undefined {
  let command: Command | undefined = root;
  for (const word of words) command = command?.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
  return command;
}

/** The `Aliases:` line: docker's annotation, kept to the paths berth has, or the command's path and its aliases. */
function aliasesOf(command: Command, root: Command): string | undefined {
  const path = commandLine(command).split(' ').slice(1).join(' ');
  const group = ALIAS_GROUPS.find((paths) => paths.some((other) => findCommand(root, other.split(' ')) === command));
  const program = root.name();
  if (group) {
    const present = group.filter((other) => findCommand(root, other.split(' ')));
    return present.length > 1 ? present.map((other) => `${program} ${other}`).join(', ') : undefined;
  }
  if (!command.aliases().length) return undefined;
  const parent = path.split(' ').slice(0, -1).join(' ');
  return [commandLine(command), ...command.aliases().map((alias) => [program, parent, alias].filter(Boolean).join(' '))].join(', ');
}

/** pflag's wrapN: the first line of `s` within `width` (or `slop` more if that ends it) and the rest. */
function wrapLine(width: number, slop: number, s: string): [string, string] {
  if (width + slop > s.length) return [s, ''];
  const head = s.slice(0, width);
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (space <= 0) return [s, ''];
  const newline = head.lastIndexOf('\n');
  if (newline > 0 && newline < space) return [s.slice(0, newline), s.slice(newline + 1)];
  return [s.slice(0, space), s.slice(space + 1)];
}

/** pflag's wrap: `s` in lines of at most `width` columns, each after the first indented by `indent`. */
export function wrapText(indent: number, width: number, s: string): string {
  let room = width - indent;
  let out = '';
  if (room < 24) {
    indent = 16;
    room = width - indent;
    out = `\n${' '.repeat(indent)}`;
  }
  if (room < 24) return s.replaceAll('\n', out);
  const pad = (line: string) => line.replaceAll('\n', `\n${' '.repeat(indent)}`);
  const slop = 5;
  let [line, rest] = wrapLine(room - slop, slop, s);
  out += pad(line);
  while (rest !== '') {
    [line, rest] = wrapLine(room - slop, slop, rest);
    out += `\n${' '.repeat(indent)}${pad(line)}`;
  }
  return out;
}

/** The value's type name shown after a flag: the placeholder of its definition (`<string>`, `<list>`, `<int>`…). */
function valueName(option: Option): string {
  return /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? '';
}

/** pflag's FlagUsagesWrapped: flags sorted by name, the short form or six spaces, the type, the usage wrapped to `width`. */
export function flagUsages(options: readonly Option[], width: number): string {
  const name = (option: Option) => (option.long ?? option.short ?? '').replace(/^-+/, '');
  const terms = [...options]
    .filter((option) => !option.hidden)
    .sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))
    .map((option) => {
      const flag = option.long ? `${option.short ? `  ${option.short}, ` : '      '}${option.long}` : `  ${option.short}`;
      const type = valueName(option);
      return { term: type ? `${flag} ${type}` : flag, usage: option.description };
    });
  const longest = Math.max(...terms.map(({ term }) => term.length)) + 1;
  return terms.map(({ term, usage }) => `${term} ${' '.repeat(longest - term.length)} ${wrapText(longest + 2, width, usage)}\n`).join('').trimEnd();
}

/** A list of commands as cobra prints them: the name padded to the longest of its siblings (at least 11), then its summary. */
function commandList(title: string, commands: Command[], padding: number): string {
  if (!commands.length) return '';
  const lines = commands.map((command) => `  ${command.name().padEnd(padding)} ${command.summary() || command.description()}`);
  return `\n\n${title}:\n${lines.join('\n')}`;
}

const byName = (a: Command, b: Command) => (a.name() < b.name() ? -1 : a.name() > b.name() ? 1 : 0);

/** A command's help in docker's layout (docker/cli's usage template), for a terminal `columns` wide. */
export function formatDockerHelp(command: Command, columns: number): string {
  let root = command;
  while (root.parent) root = root.parent;
  const isRoot = command === root;
  const line = commandLine(command);
  const subcommands = command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden).sort(byName);
  // docker hides its help flag, but where -h means something else (run, create) it lists `--help`.
  const options = new Help().visibleOptions(command).filter((option) => option.flags !== '-h, --help');
  const usage = subcommands.length ? `${line}${options.length && !isRoot ? ' [OPTIONS]' : ''} ${dockerUsage(command)}` : `${line} ${dockerUsage(command)}`;
  let text = `Usage:  ${usage.trimEnd()}\n\n${command.description().trim()}`;
  const aliases = aliasesOf(command, root);
  if (aliases) text += `\n\nAliases:\n  ${aliases}`;
  if (!isRoot && options.length) text += `\n\nOptions:\n${flagUsages(options, columns - 1)}`;
  const padding = Math.max(MIN_NAME_PADDING, ...command.commands.map((sub) => sub.name().length));
  const common = isRoot ? COMMON_COMMANDS.flatMap((name) => subcommands.filter((sub) => sub.name() === name)) : [];
  text += commandList('Common Commands', common, padding);
  text += commandList('Management Commands', subcommands.filter((sub) => sub.commands.length), padding);
  text += commandList('Commands', subcommands.filter((sub) => !sub.commands.length && !common.includes(sub)), padding);
  if (isRoot && options.length) text += `\n\nGlobal Options:\n${flagUsages(options, columns - 1)}`;
  if (subcommands.length) text += `\n\nRun '${line} COMMAND --help' for more information on a command.`;
  if (isRoot) text += `\n\n${ROOT_FOOTER}`;
  return `${text}\n`;
}

/** The width docker wraps help to: its terminal's (docker asks standard input), 80 off a terminal. */
export function helpColumns(stdin: { isTTY?: boolean }, outputs: Writable[]): number {
  if (!stdin.isTTY) return 80;
  return outputs.map((out) => (out as Writable & { isTTY?: boolean; columns?: number })).find((out) => out.isTTY && out.columns)?.columns ?? 80;
}

/** Sets every command of the tree under `command` to print docker's help; only the root has a `help` command, as docker. */
function configureTree(command: Command, format: (command: Command) => string): void {
  command.configureHelp({ formatHelp: format });
  if (command.parent) command.helpCommand(false);
  for (const sub of command.commands) configureTree(sub, format);
}

/** docker's help for the whole tree, and `berth help [COMMAND...]`, which names an unknown topic as cobra does. */
export function useDockerHelp(program: Command, ctx: CommandContext): void {
  const format = (command: Command) => formatDockerHelp(command, helpColumns(ctx.io.stdin, [ctx.io.stdout, ctx.io.stderr]));
  program
    .command('help', { hidden: true })
    .description('Help about the command')
    .usage('[command]')
    .argument('[command...]')
    .action((words: string[]) => {
      let command = program;
      let found = 0;
      for (let next; found < words.length && (next = findCommand(command, [words[found]!])); found++) command = next;
      if (found < words.length) {
        ctx.err(`unknown help topic: ${words.slice(found).join(' ')}\n`);
        ctx.exitCode = 1;
        return;
      }
      ctx.out(format(command));
    });
  configureTree(program, format);
}
