#!/usr/bin/env node
// The Node version is checked before oclif is imported (bin/node-check.js).
import './node-check.js';
import { endWhenStdoutClosed } from './stdout-closed.js';

// `--version` is the `version` command (oclif's own prints only its user agent).
const args = process.argv.slice(2);
if (args[0] === '--version') args[0] = 'version';

endWhenStdoutClosed();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url, args });
