#!/usr/bin/env -S node --
// `--` ends node's own options: node otherwise checks a later `--env-file FILE` (run's flag) as its own and exits.
import { main } from '../main.js';

process.exitCode = await main(process.argv);
