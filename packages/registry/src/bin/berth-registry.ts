#!/usr/bin/env -S node --max-semi-space-size=4
// With node's default semi-spaces (growing to 32 MB) V8 runs full collections back to back once the
// registry has worked a while, its old generation being small: a pull then took about a quarter more
// CPU per byte. 4 MB semi-spaces avoid that. `node berth-registry.js` runs with node's default.
import { main } from '../main.js';

process.exitCode = await main(process.argv);
