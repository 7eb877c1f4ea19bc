#!/usr/bin/env -S node --max-semi-space-size=16
// --max-semi-space-size=16: Node 24 sizes the young generation by the machine's memory (up to
// 64 MB a semi-space here); 16 MB, Node 20's size, cuts peak RSS by ~120 MB at 100,000 objects for
// the same wall time (docs/benchmarks.md). It only takes effect as a Node flag, so it is here, where
// the installed `calico-migrate` executable starts Node; `node bin/run.js` runs with Node's default.
// The Node version is checked before oclif is imported (bin/node-check.js).
import './node-check.js';
import module from 'node:module';
import { endWhenStdoutClosed } from './stdout-closed.js';

// Node caches the compiled code of oclif and dist/ (in the OS temp folder; NODE_DISABLE_COMPILE_CACHE=1
// turns it off): each later command starts ~0.4 s of CPU sooner.
module.enableCompileCache?.();

// `--version` is the `version` command (oclif's own prints only its user agent).
const args = process.argv.slice(2);
if (args[0] === '--version') args[0] = 'version';

endWhenStdoutClosed();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url, args });
