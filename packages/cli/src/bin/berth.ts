#!/usr/bin/env -S node --
// `--` ends node's own options: node otherwise checks a later `--env-file FILE` (run's flag) as its own and exits.
import { enableCompileCache } from './compile-cache.js';

// Before the rest of the CLI is compiled, so V8 can reuse the code it compiled on an earlier run.
enableCompileCache(process.env);
// A reader that stops early (`berth info | head -1`) ends berth as Go's SIGPIPE ends docker: silently, status 128+13.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(141);
  });
}
const { main } = await import('../main.js');
process.exitCode = await main(process.argv);
