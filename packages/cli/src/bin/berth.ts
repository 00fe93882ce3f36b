#!/usr/bin/env -S node --
// `--` ends node's own options: node otherwise checks a later `--env-file FILE` (run's flag) as its own and exits.
import { enableCompileCache } from './compile-cache.js';

// Before the rest of the CLI is compiled, so V8 can reuse the code it compiled on an earlier run.
enableCompileCache(process.env);
const { main } = await import('../main.js');
process.exitCode = await main(process.argv);
