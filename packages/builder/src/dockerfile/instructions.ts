/**
 * A parsed line into a typed command, after BuildKit's `frontend/dockerfile/instructions/parse.go`:
 * argument counts, flags each instruction takes, stage names, ONBUILD triggers, HEALTHCHECK options.
 * Errors are plain `Error`s with BuildKit's reason; the caller adds the line.
 */
import { parseGoDuration } from '@berth/api';
import type { Command, CommandLine, Flags, Heredoc, KeyValue, Stage } from './commands.js';
import { type FlagSpec, parseFlags } from './flags.js';
import { chompHeredocContent, type HeredocWord, parseHeredoc } from './heredoc.js';
import { INSTRUCTIONS, type Node } from './line-parsers.js';
import { goQuote } from './shell-lex.js';
import { suggest } from './suggest.js';

/** A node with what the scanner read around it. */
export interface LocatedNode extends Node {
  line: number;
  /** The instruction, continuations joined, trimmed (Docker's `Step N/M :` text). */
  original: string;
  /** The same, untrimmed (what ONBUILD stores). */
  text: string;
  /** Heredocs the line opens, in order, with the bodies read after it as written (not chomped). */
  heredocs: (HeredocWord & { content: string })[];
}

type StageHeader = Omit<Stage, 'commands'>;

const NO_FLAGS: FlagSpec = {};
const COPY_FLAGS: FlagSpec = { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'string', parents: 'bool' };
const ADD_FLAGS: FlagSpec = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  'keep-git-dir': 'bool',
  checksum: 'string',
  unpack: 'bool',
  exclude: 'string',
};
const RUN_FLAGS: FlagSpec = { network: 'string', mount: 'string', security: 'string', device: 'string' };
const HEALTHCHECK_FLAGS: FlagSpec = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
};
const NETWORK_MODES = new Set(['default', 'none', 'host']);
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** FROM's stage header, or a command. */
export function parseInstruction(node: LocatedNode): { from: StageHeader } | { command: Command } {
  const keyword = node.command.toLowerCase();
  if (keyword === 'from') return { from: parseFrom(node) };
  if (!INSTRUCTIONS.includes(keyword)) {
    throw new Error(suggest(`unknown instruction: ${node.command}`, node.command, INSTRUCTIONS, false));
  }
  return { command: parseCommand(node, keyword) };
}

function parseCommand(node: LocatedNode, keyword: string): Command {
  const { args, line, original } = node;
  const base = (spec: FlagSpec = NO_FLAGS) => ({ line, original, flags: parseFlags(node.flags, spec) });
  switch (keyword) {
    case 'env':
    case 'label': {
      const kind = keyword === 'env' ? 'ENV' : 'LABEL';
      return { kind, ...base(), pairs: parseKeyValues(args, kind) };
    }
    case 'maintainer':
      return { kind: 'MAINTAINER', ...base(), maintainer: exactlyOne(args, 'MAINTAINER') };
    case 'add':
    case 'copy': {
      const kind = keyword === 'add' ? 'ADD' : 'COPY';
      if (args.length < 2) {
        throw new Error(`${kind} requires at least two arguments, but only one was provided. Destination could not be determined`);
      }
      return { kind, ...base(kind === 'ADD' ? ADD_FLAGS : COPY_FLAGS), ...sourcesAndDest(node, kind) };
    }
    case 'onbuild':
      return { kind: 'ONBUILD', ...base(), expression: onbuildExpression(node) };
    case 'workdir':
      return { kind: 'WORKDIR', ...base(), path: exactlyOne(args, 'WORKDIR') };
    case 'run': {
      const common = base(RUN_FLAGS);
      const network = common.flags.network;
      if (network !== undefined && !NETWORK_MODES.has(network as string)) throw new Error(`invalid network mode ${goQuote(network as string)}`);
      return { kind: 'RUN', ...common, ...commandLine(node) };
    }
    case 'cmd':
      return { kind: 'CMD', ...base(), ...commandLine(node) };
    case 'entrypoint':
      return { kind: 'ENTRYPOINT', ...base(), ...commandLine(node) };
    case 'healthcheck':
      return parseHealthcheck(node);
    case 'expose':
      if (args.length === 0) throw atLeastOne('EXPOSE');
      return { kind: 'EXPOSE', ...base(), ports: [...args].sort() };
    case 'user':
      return { kind: 'USER', ...base(), user: exactlyOne(args, 'USER') };
    case 'volume': {
      if (args.length === 0) throw atLeastOne('VOLUME');
      const common = base();
      const volumes = args.map((volume) => volume.trim());
      if (volumes.includes('')) throw new Error('VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', ...common, volumes };
    }
    case 'stopsignal':
      return { kind: 'STOPSIGNAL', ...base(), signal: exactlyOne(args, 'STOPSIGNAL') };
    case 'arg':
      return { kind: 'ARG', ...base(), args: parseArgs(args) };
    default: // 'shell', the one keyword left
      return parseShell(node, base());
  }
}

function parseFrom(node: LocatedNode): StageHeader {
  const { args } = node;
  let name: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    name = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(name)) {
      throw new Error(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    throw new Error('FROM requires either one or three arguments');
  }
  const flags = parseFlags(node.flags, { platform: 'string' });
  const platform = flags.platform as string | undefined;
  return { line: node.line, original: node.original, base: args[0]!, ...(name !== undefined && { name }), ...(platform !== undefined && { platform }) };
}

function parseKeyValues(args: string[], kind: string): KeyValue[] {
  if (args.length === 0) throw atLeastOne(kind);
  const pairs: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') throw new Error(`${kind} names can not be blank`);
    pairs.push({ key: args[i]!, value: args[i + 1]! });
  }
  return pairs;
}

function parseArgs(args: string[]): { key: string; value?: string }[] {
  if (args.length === 0) throw atLeastOne('ARG');
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg };
    if (eq === 0) throw new Error('ARG names can not be blank');
    return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
  });
}

function sourcesAndDest(node: LocatedNode, kind: string): { sources: string[]; dest: string; heredocs: Heredoc[] } {
  const dest = node.args[node.args.length - 1]!;
  if (parseHeredoc(dest)) throw new Error(`${kind} cannot accept a heredoc as a destination`);
  const sources: string[] = [];
  const heredocs: Heredoc[] = [];
  for (const source of node.args.slice(0, -1)) {
    const heredoc = parseHeredoc(source);
    if (!heredoc) {
      sources.push(source);
      continue;
    }
    const content = node.heredocs.find((body) => body.name === heredoc.name)?.content ?? '';
    heredocs.push({ name: heredoc.name, content: heredoc.chomp ? chompHeredocContent(content) : content, expand: heredoc.expand });
  }
  return { sources, dest, heredocs };
}

/** RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: the exec form's argv or the shell form's one string. */
function commandLine(node: LocatedNode, args = node.args): CommandLine {
  const heredocs: Heredoc[] = node.heredocs.map(({ name, content, chomp, expand }) => ({
    name,
    content: chomp ? chompHeredocContent(content) : content,
    expand,
  }));
  return { args: node.json || args.length === 0 ? [...args] : [args.join(' ')], prependShell: !node.json, heredocs };
}

function parseHealthcheck(node: LocatedNode): Command {
  const { args, line, original } = node;
  if (args.length === 0) throw atLeastOne('HEALTHCHECK');
  const type = args[0]!.toUpperCase();
  if (type === 'NONE') {
    if (args.length !== 1) throw new Error('HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', line, original, flags: parseFlags(node.flags, NO_FLAGS), none: true };
  }
  const flags = parseFlags(node.flags, HEALTHCHECK_FLAGS);
  if (type !== 'CMD') throw new Error(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const test = commandLine(node, args.slice(1));
  if (test.args.length === 0) throw new Error('Missing command after HEALTHCHECK CMD');
  const retries = flags.retries as string | undefined;
  return {
    kind: 'HEALTHCHECK',
    line,
    original,
    flags,
    none: false,
    test,
    options: {
      interval: interval(flags, 'interval'),
      timeout: interval(flags, 'timeout'),
      startPeriod: interval(flags, 'start-period'),
      startInterval: interval(flags, 'start-interval'),
      retries: retries ? parseRetries(retries) : 0,
    },
  };
}

/** A duration flag: 0 when absent or zero; at least 1ms otherwise. */
function interval(flags: Flags, name: string): number {
  const text = flags[name] as string | undefined;
  if (!text) return 0;
  const value = parseGoDuration(text);
  if (value === null) throw new Error(`time: invalid duration ${goQuote(text)}`);
  if (value !== 0 && value < 1e6) throw new Error(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return value;
}

function parseRetries(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`);
  const value = Number(text);
  if (value > 2 ** 31 - 1 || value < -(2 ** 31)) throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`);
  if (value < 0) throw new Error(`--retries cannot be negative (${value})`);
  return value;
}

function onbuildExpression(node: LocatedNode): string {
  if (node.args.length === 0) throw atLeastOne('ONBUILD');
  const trigger = node.args[0]!.trim().toUpperCase();
  if (trigger === 'ONBUILD') throw new Error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = node.text.replace(/^\s*ONBUILD\s*/i, '');
  for (const heredoc of node.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  return expression;
}

function parseShell(node: LocatedNode, base: { line: number; original: string; flags: Flags }): Command {
  const shell = node.json || node.args.length === 0 ? node.args : [node.args.join(' ')];
  if (shell.length === 0) throw atLeastOne('SHELL');
  if (!node.json) throw new Error('SHELL requires the arguments to be in JSON form');
  return { kind: 'SHELL', ...base, shell };
}

function exactlyOne(args: string[], kind: string): string {
  if (args.length !== 1) throw new Error(`${kind} requires exactly one argument`);
  return args[0]!;
}

function atLeastOne(kind: string): Error {
  return new Error(`${kind} requires at least one argument`);
}
