import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { Option } from 'commander';
import { flagUsages, wrapText } from './docker-help.js';
import { main } from './main.js';

async function berth(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let [out, err] = ['', ''];
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(['node', 'berth', ...args], { stdin: Readable.from([]), stdout, stderr }, { BERTH_HOST: 'unix:///nonexistent' });
  return { code, out, err };
}

describe('pflag\'s flag listing', () => {
  it('sorts by name, aligns the usages after the short flag or six spaces and the type, and wraps them', () => {
    const options = [new Option('--format <string>', 'Format output'), new Option('-a, --all', 'Show all containers (default shows just running) and a few more words')];
    expect(flagUsages(options, 79)).toBe(
      '  -a, --all             Show all containers (default shows just running)\n' + '                        and a few more words\n' + '      --format string   Format output',
    );
  });

  it('wraps as pflag does: slop of 5 before a break, embedded newlines kept and indented', () => {
    expect(wrapText(4, 40, 'one two three four five six seven eight nine')).toBe('one two three four five six\n    seven eight nine');
    expect(wrapText(4, 40, 'short\nnext line')).toBe('short\n    next line');
    // With less than 24 columns left, the usage starts on a line of its own at column 16.
    expect(wrapText(60, 80, 'text')).toBe('\n                text');
  });
});

// The expected texts are the docker CLI 28.2.2's (not on a terminal: 80 columns), with `docker` read `berth`.
describe('help in docker\'s layout', () => {
  it('a command: usage, description, every path to it, its flags without --help', async () => {
    const { code, out } = await berth('ps', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: {2}berth ps \[OPTIONS\]\n\nList containers\n\nAliases:\n {2}berth container ls, berth container list, berth container ps, berth ps\n\nOptions:\n {2}-a, --all {13}Show all/);
    expect(out).toContain('  -n, --last int        Show n last created containers (includes all\n                        states) (default -1)\n');
    expect(out).not.toContain('--help');
    expect(out.endsWith('  -s, --size            Display total file sizes\n')).toBe(true);
  });

  it('a group: its commands and the hint, with no help command of its own', async () => {
    const { out } = await berth('volume', '--help');
    expect(out).toBe(
      'Usage:  berth volume COMMAND\n\nManage volumes\n\nCommands:\n  create      Create a volume\n  inspect     Display detailed information on one or more volumes\n' +
        '  ls          List volumes\n  prune       Remove unused local volumes\n  rm          Remove one or more volumes\n\n' +
        "Run 'berth volume COMMAND --help' for more information on a command.\n",
    );
    expect((await berth('volume', 'help', 'ls')).code).toBe(1);
  });

  it('the root: common, management and other commands, global options, the hint and the guides link', async () => {
    const { out } = await berth('--help');
    expect(out).toMatch(/^Usage: {2}berth \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n {2}run {9}Create and run/);
    expect(out).toContain('\n\nManagement Commands:\n  builder     Manage builds\n');
    expect(out).toContain('\n\nGlobal Options:\n');
    expect(out).not.toMatch(/^ {2}help /m);
    expect(out.endsWith("Run 'berth COMMAND --help' for more information on a command.\n\nFor more help on how to use Docker, head to https://docs.docker.com/go/guides/\n")).toBe(true);
  });

  it('run lists --help, as -h is its --hostname', async () => {
    expect((await berth('run', '--help')).out).toContain('      --help                             Print usage\n');
  });

  it('berth help COMMAND prints its help; an unknown topic is an error', async () => {
    expect(await berth('help', 'volume', 'ls')).toEqual({ ...(await berth('volume', 'ls', '--help')), code: 0 });
    expect(await berth('help', 'nosuch')).toEqual({ code: 1, out: '', err: 'unknown help topic: nosuch\n' });
    expect((await berth('help', 'ps', 'extra')).err).toBe('unknown help topic: extra\n');
  });
});
