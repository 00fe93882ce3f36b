import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

/** Runs berth with a command line that fails to parse: nothing reaches a daemon. */
async function berth(...args: string[]): Promise<{ code: number; err: string }> {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(['node', 'berth', ...args], { stdin: Readable.from([]), stdout: new PassThrough(), stderr }, { BERTH_HOST: 'unix:///nonexistent' });
  return { code, err };
}

// The expected texts are the docker CLI 28.2.2's, with `docker` read `berth`.
describe('command lines berth cannot parse, reported in docker\'s words', () => {
  it('a wrong number of arguments: cobra\'s wording for each arity, the usage line, status 1', async () => {
    expect(await berth('rm')).toEqual({
      code: 1,
      err: "berth: 'berth rm' requires at least 1 argument\n\nUsage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth rm --help' for more information\n",
    });
    expect(await berth('logs')).toEqual({ code: 1, err: "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs [OPTIONS] CONTAINER\n\nRun 'berth logs --help' for more information\n" });
    expect(await berth('tag', 'a')).toEqual({
      code: 1,
      err: "berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nRun 'berth tag --help' for more information\n",
    });
    expect((await berth('port', 'a', 'b', 'c')).err).toBe(
      "berth: 'berth port' requires at least 1 and at most 2 arguments\n\nUsage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nRun 'berth port --help' for more information\n",
    );
    expect(await berth('ps', 'x')).toEqual({ code: 1, err: "berth: 'berth ps' accepts no arguments\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n" });
    expect((await berth('volume', 'inspect')).err).toBe(
      "berth: 'berth volume inspect' requires at least 1 argument\n\nUsage:  berth volume inspect [OPTIONS] VOLUME [VOLUME...]\n\nSee 'berth volume inspect --help' for more information\n",
    );
  });

  it('a group without its command: its help on stderr, status 0, as docker', async () => {
    const { code, err } = await berth('volume');
    expect(code).toBe(0);
    expect(err).toMatch(/^Usage: {2}berth volume COMMAND\n\nManage volumes\n/);
  });

  it('a boolean flag given a value ParseBool refuses: pflag\'s message, the usage line, status 125', async () => {
    expect(await berth('ps', '--size=x')).toEqual({
      code: 125,
      err: 'invalid argument "x" for "-s, --size" flag: strconv.ParseBool: parsing "x": invalid syntax\n\nUsage:  berth ps [OPTIONS]\n\nRun \'berth ps --help\' for more information\n',
    });
  });

  it('unknown commands, status 1', async () => {
    expect(await berth('nosuch')).toEqual({ code: 1, err: "berth: unknown command: berth nosuch\n\nRun 'berth --help' for more information\n" });
    expect(await berth('volume', 'nosuch')).toEqual({
      code: 1,
      err: "berth: unknown command: berth volume nosuch\n\nUsage:  berth volume COMMAND\n\nRun 'berth volume --help' for more information\n",
    });
  });

  it('unknown flags, flags without their value and invalid values: pflag\'s wording, status 125', async () => {
    const usage = "\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n";
    expect(await berth('ps', '--bogus')).toEqual({ code: 125, err: `unknown flag: --bogus${usage}` });
    expect(await berth('ps', '--bogus=1')).toEqual({ code: 125, err: `unknown flag: --bogus${usage}` });
    expect(await berth('ps', '-x')).toEqual({ code: 125, err: `unknown shorthand flag: 'x' in -x${usage}` });
    expect(await berth('ps', '--format')).toEqual({ code: 125, err: `flag needs an argument: --format${usage}` });
    expect(await berth('ps', '-f')).toEqual({ code: 125, err: `flag needs an argument: 'f' in -f${usage}` });
    expect(await berth('ps', '-n', 'x')).toEqual({ code: 125, err: `invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax${usage}` });
    expect(await berth('ps', '--filter', 'name')).toEqual({ code: 125, err: `invalid argument "name" for "-f, --filter" flag: bad format of filter (expected name=value)${usage}` });
    expect((await berth('image', 'prune', '--filter', 'x')).err).toMatch(/^invalid argument "x" for "--filter" flag: bad format of filter/);
  });
});
