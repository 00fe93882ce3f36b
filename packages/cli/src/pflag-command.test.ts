import { describe, expect, it } from 'vitest';
import { CommanderError, type Command } from 'commander';
import { PflagCommand, parseBool } from './pflag-command.js';

/** A command with docker-like flags: booleans (one negated), a value flag and a repeatable one. */
function command(): Command {
  const program = new PflagCommand('t').exitOverride().configureOutput({ writeErr: () => undefined });
  return program
    .command('ps')
    .exitOverride()
    .option('-a, --all', 'all')
    .option('-s, --size', 'size')
    .option('--no-trunc', 'no trunc')
    .option('-n, --last <int>', 'last')
    .option('-e, --env <list>', 'env', (value: string, previous: string[]) => [...previous, value], [])
    .argument('[args...]')
    .action(() => undefined);
}

function parse(...args: string[]): Record<string, unknown> {
  const ps = command();
  ps.parent!.parse(['ps', ...args], { from: 'user' });
  return { ...ps.opts(), args: ps.args };
}

describe('PflagCommand reads pflag\'s flag forms', () => {
  it('takes an explicit value for a boolean flag, long or short, alone or ending a group', () => {
    expect(parse('--size=false')).toMatchObject({ size: false });
    expect(parse('--size=true')).toMatchObject({ size: true });
    expect(parse('-s=1')).toMatchObject({ size: true });
    expect(parse('-as=0')).toMatchObject({ all: true, size: false });
    expect(parse('-sa=F')).toMatchObject({ all: false, size: true });
  });

  it('gives a negated flag the opposite: --no-trunc=false truncates', () => {
    expect(parse('--no-trunc=false')).toMatchObject({ trunc: true });
    expect(parse('--no-trunc=true')).toMatchObject({ trunc: false });
  });

  it('lets the last mention of a flag win', () => {
    expect(parse('--size', '--size=false')).toMatchObject({ size: false });
    expect(parse('--size=false', '--size')).toMatchObject({ size: true });
  });

  it('reads -n=5 as the value 5, and leaves values and operands alone', () => {
    expect(parse('-n=5')).toMatchObject({ last: '5' });
    expect(parse('-e', '--size=false', 'x')).toMatchObject({ env: ['--size=false'], args: ['x'] });
    expect(parse('x', '--', '--size=false')).toMatchObject({ args: ['x', '--size=false'] });
  });

  it('refuses a value ParseBool refuses, in pflag\'s words', () => {
    expect(() => parse('--size=x')).toThrow(new CommanderError(125, 'berth.flagValue', 'invalid argument "x" for "-s, --size" flag: strconv.ParseBool: parsing "x": invalid syntax'));
    expect(() => parse('--no-trunc=')).toThrow('invalid argument "" for "--no-trunc" flag: strconv.ParseBool: parsing "": invalid syntax');
  });

  it('parses booleans as Go\'s strconv.ParseBool', () => {
    for (const text of ['1', 't', 'T', 'true', 'TRUE', 'True']) expect(parseBool('--x', text)).toBe(true);
    for (const text of ['0', 'f', 'F', 'false', 'FALSE', 'False']) expect(parseBool('--x', text)).toBe(false);
    expect(() => parseBool('--x', 'yes')).toThrow('strconv.ParseBool: parsing "yes": invalid syntax');
  });
});
