#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
import { execute } from '@oclif/core';

// `--version` is the `version` command, as in bin/run.js.
const args = process.argv.slice(2);
if (args[0] === '--version') args[0] = 'version';

await execute({ development: true, dir: import.meta.url, args });
