#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';

// Before the rest of the CLI is compiled, so V8 can reuse the code it compiled on an earlier run.
enableCompileCache(process.env);
const { main } = await import('../main.js');
process.exitCode = await main(process.argv);
