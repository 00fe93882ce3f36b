import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** A tmux server of a test's own: each session is a real pseudo-terminal to type into and read. */
export interface TmuxServer {
  tmux(args: string[]): Promise<string>;
  /** The session's screen once `pattern` shows on it; fails with the last screen after 10 s. */
  screenShows(session: string, pattern: RegExp): Promise<string>;
  kill(): Promise<void>;
}

export function startTmuxServer(): TmuxServer {
  const name = `berth-e2e-${randomBytes(4).toString('hex')}`;
  const tmux = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('tmux', ['-L', name, ...args], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
  return {
    tmux,
    async screenShows(session, pattern) {
      let screen = '';
      for (let i = 0; i < 100; i++) {
        screen = await tmux(['capture-pane', '-p', '-t', session]);
        if (pattern.test(screen)) return screen;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${String(pattern)} never showed; screen:\n${screen}`);
    },
    kill: () => tmux(['kill-server']).then(
      () => undefined,
      () => undefined,
    ),
  };
}
