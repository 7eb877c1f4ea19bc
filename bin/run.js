#!/usr/bin/env node
import { execute } from '@oclif/core';

// `--version` is the `version` command (oclif's own prints only its user agent).
const args = process.argv.slice(2);
if (args[0] === '--version') args[0] = 'version';

await execute({ dir: import.meta.url, args });
