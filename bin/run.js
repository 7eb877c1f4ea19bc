#!/usr/bin/env node
import v8 from 'node:v8';
import { execute } from '@oclif/core';

// A plan or apply of 300,000 objects holds ~450 MB of live objects for minutes. V8's default lets
// the heap grow up to 4x its live size between full collections when allocation is fast, which
// put the peak at 1.1 GB; growing by at most half keeps it near 750 MB for a few per cent of time.
v8.setFlagsFromString('--heap-growing-percent=50');
await execute({ dir: import.meta.url });
