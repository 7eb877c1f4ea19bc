#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// The Node version is checked before oclif is imported (bin/node-check.js).
import './node-check.js';
import { endWhenStdoutClosed } from './stdout-closed.js';

// `--version` is the `version` command, as in bin/run.js.
const args = process.argv.slice(2);
if (args[0] === '--version') args[0] = 'version';

endWhenStdoutClosed();
const { execute } = await import('@oclif/core');
await execute({ development: true, dir: import.meta.url, args });
