import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';
import { BERTH } from './paths.js';
import { startTmuxServer } from './tmux-harness.js';

const daemon = useTestDaemon();
const { tmux, screenShows, kill } = startTmuxServer();

/** Runs a command in a detached tmux session: a real pseudo-terminal of 100x30. */
async function inTerminal(session: string, command: string): Promise<void> {
  await tmux(['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `env DOCKER_HOST=${daemon.host} ${command}; sleep 600`]);
}

afterAll(kill);

describe('terminals through berth', () => {
  it('berth run -t and berth exec -t start the TTY at the terminal size, before any resize', async () => {
    // The first thing the process does is read its size: only a size sent at create (ConsoleSize) can be there yet.
    await inTerminal('bsize', `node ${BERTH} run -t --name berth-sized busybox sh -c 'stty size; sleep 600'`);
    await screenShows('bsize', /^30 100/m);
    await inTerminal('bsize-exec', `node ${BERTH} exec -t berth-sized stty size`);
    await screenShows('bsize-exec', /^30 100/m);
    await daemon.docker.getContainer('berth-sized').remove({ force: true });
  });

  it('berth run -it and berth exec -it: prompt, window size, detach, exit code', async () => {
    await inTerminal('brun', `node ${BERTH} run -it --name berth-interactive busybox sh; echo "berth exited $?"`);
    await screenShows('brun', /^\/ #\s*$/m);
    await tmux(['send-keys', '-t', 'brun', 'stty size', 'Enter']);
    await screenShows('brun', /^30 100/m);
    await tmux(['send-keys', '-t', 'brun', 'C-p', 'C-q']);
    await screenShows('brun', /berth exited 0/);
    expect((await daemon.docker.getContainer('berth-interactive').inspect()).State.Running).toBe(true);

    await inTerminal('bexec', `node ${BERTH} exec -it berth-interactive sh; echo "berth exec exited $?"`);
    await screenShows('bexec', /^\/ #\s*$/m);
    await tmux(['send-keys', '-t', 'bexec', 'stty size; exit 6', 'Enter']);
    await screenShows('bexec', /30 100[\s\S]*berth exec exited 6/);
    // The terminal is back in cooked mode: with nothing reading it, what is typed is still echoed.
    await tmux(['send-keys', '-t', 'bexec', 'typed-after-exit']);
    await screenShows('bexec', /berth exec exited 6\s*\n\s*typed-after-exit/);
  });

  it("berth run -it detaches on config.json's detachKeys (--config), and on --detach-keys over them", async () => {
    const config = await mkdtemp(join(tmpdir(), 'berth-detach-keys-'));
    try {
      await writeFile(join(config, 'config.json'), JSON.stringify({ detachKeys: 'ctrl-x,x' }));
      await inTerminal('bkeys', `node ${BERTH} --config ${config} run -it --name berth-keys busybox sh; echo "berth exited $?"`);
      await screenShows('bkeys', /^\/ #\s*$/m);
      // The default sequence is no longer special: it reaches the shell, which goes on.
      await tmux(['send-keys', '-t', 'bkeys', 'C-p', 'C-q', 'echo still""here', 'Enter']);
      await screenShows('bkeys', /^stillhere/m);
      await tmux(['send-keys', '-t', 'bkeys', 'C-x', 'x']);
      await screenShows('bkeys', /berth exited 0/);
      expect((await daemon.docker.getContainer('berth-keys').inspect()).State.Running).toBe(true);

      await inTerminal('bflag', `node ${BERTH} --config ${config} run -it --detach-keys ctrl-a --name berth-flag-keys busybox sh; echo "berth exited $?"`);
      await screenShows('bflag', /^\/ #\s*$/m);
      await tmux(['send-keys', '-t', 'bflag', 'C-a']);
      await screenShows('bflag', /berth exited 0/);
      expect((await daemon.docker.getContainer('berth-flag-keys').inspect()).State.Running).toBe(true);
    } finally {
      await rm(config, { recursive: true, force: true });
      await Promise.all(['berth-keys', 'berth-flag-keys'].map((name) => daemon.docker.getContainer(name).remove({ force: true }).catch(() => undefined)));
    }
  });

  it('berth attach joins a TTY container: typed input, ctrl-p ctrl-q detaches, a later attach gets the exit code', async () => {
    expect((await daemon.dockerCli(['run', '-dit', '--name', 'berth-attached', 'busybox', 'sh'])).code).toBe(0);
    for (const [session, keys, shown] of [
      ['battach', 'echo typed""here', /^typedhere/m],
      ['battach-again', 'exit 6', /attach exited 6/],
    ] as const) {
      await inTerminal(session, `node ${BERTH} attach berth-attached; echo "attach exited $?"`);
      // The shell prints nothing until something is typed: Enter until its prompt shows.
      for (let i = 0; i < 50 && !/^\/ #/m.test(await tmux(['capture-pane', '-p', '-t', session])); i++) {
        await tmux(['send-keys', '-t', session, 'Enter']);
        await new Promise((r) => setTimeout(r, 200));
      }
      await tmux(['send-keys', '-t', session, keys, 'Enter']);
      await screenShows(session, shown);
      if (session !== 'battach') continue;
      await tmux(['send-keys', '-t', session, 'C-p', 'C-q']);
      await screenShows(session, /attach exited 0/);
      expect((await daemon.docker.getContainer('berth-attached').inspect()).State.Running).toBe(true);
    }
  });
});

describe('terminals through the docker CLI', () => {
  it('docker run -it: prompt, command, ctrl-p ctrl-q detach, docker attach', async () => {
    await inTerminal('run', 'docker run -it --name interactive busybox sh; echo "cli exited $?"');
    await screenShows('run', /^\/ #\s*$/m);
    await tmux(['send-keys', '-t', 'run', 'echo hel""lo; stty size', 'Enter']);
    await screenShows('run', /^hello\s*\n30 100/m);
    await tmux(['send-keys', '-t', 'run', 'C-p', 'C-q']);
    await screenShows('run', /cli exited 0/);
    expect((await daemon.docker.getContainer('interactive').inspect()).State.Running).toBe(true);

    await inTerminal('again', 'docker attach interactive; echo "attach exited $?"');
    // docker attach shows nothing until the shell prints again: press Enter until a prompt appears.
    for (let i = 0; i < 50 && !/^\/ #/m.test(await tmux(['capture-pane', '-p', '-t', 'again'])); i++) {
      await tmux(['send-keys', '-t', 'again', 'Enter']);
      await new Promise((r) => setTimeout(r, 200));
    }
    await tmux(['send-keys', '-t', 'again', 'echo back""again; exit 3', 'Enter']);
    await screenShows('again', /backagain[\s\S]*attach exited 3/);
  });

  it('docker exec -it: prompt, typed command, window size', async () => {
    expect((await daemon.dockerCli(['run', '-d', '--name', 'host', 'busybox', 'sleep', '600'])).code).toBe(0);
    await inTerminal('exec', 'docker exec -it host sh; echo "exec exited $?"');
    await screenShows('exec', /^\/ #\s*$/m);
    await tmux(['send-keys', '-t', 'exec', 'stty size; tty; exit 5', 'Enter']);
    await screenShows('exec', /30 100\s*\n\/dev\/pts\/\d+[\s\S]*exec exited 5/);

    await inTerminal('exec-detach', 'docker exec -it host sh -c "echo started; sleep 600"; echo "detached exec exited"');
    await screenShows('exec-detach', /started/);
    await tmux(['send-keys', '-t', 'exec-detach', 'C-p', 'C-q']);
    await screenShows('exec-detach', /detached exec exited/);
  });
});
