import { execFile } from 'node:child_process';
import { ProgramFailure, exitCodeOf } from '@berth/api';

/**
 * The only module of the network package that runs external programs: netavark, unshare(1) and
 * umount(8). Every call passes an argument vector, never a shell.
 */

/** Runs `path args`, `input` on its stdin, and returns its stdout. */
export function runTool(path: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(path, args, { maxBuffer: 4 * 1024 * 1024, env: options.env ?? process.env }, (err, stdout, stderr) => {
      if (err) reject(new ProgramFailure(`${path} ${args.join(' ')}: ${stderr.trim() || stdout.trim() || err.message}`, stdout, stderr, { cause: err, exitCode: exitCodeOf(err) }));
      else resolve(stdout);
    });
    // A tool that exits without reading its input (an early error) closes the pipe: its exit status tells what happened.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}
