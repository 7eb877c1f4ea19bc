#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=30
// Two garbage-collector settings, which only take effect as Node flags, so they are here, where the
// installed `calico-migrate` executable starts Node (`node bin/run.js` runs with Node's defaults):
// --max-semi-space-size=16: Node 24 sizes the young generation by the machine's memory (up to
//   64 MB a semi-space here); 16 MB, Node 20's size, cuts peak RSS by ~120 MB at 100,000 objects
//   for the same wall time.
// --heap-growing-percent=30: after a full collection V8 lets the old generation grow to up to 4x
//   what survived before it collects again; apply and rollback hold ~120 MB at 100,000 objects and
//   peaked at 400-490 MB of heap, nearly all garbage. Capped (at 1.5x) they peaked 120-190 MB lower;
//   1.3x, measured the same way, took another 40-65 MB off at the same write rate (docs/benchmarks.md).
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
