// Refuses a Node older than package.json's engines.node, in one line and with exit code 1 (ERROR,
// "an environment problem", in src/errors.ts's table), before anything is imported that may not
// load on it: bin/run.js and bin/dev.js import the CLI only after this check. Plain JavaScript that
// every Node since 12 parses, so an old Node gets this line rather than a syntax error.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.node).slice(1).map(Number);
const running = process.versions.node.split('.').map(Number);
const tooOld = running[0] !== minimum[0] ? running[0] < minimum[0] : running[1] !== minimum[1] ? running[1] < minimum[1] : running[2] < minimum[2];

if (tooOld) {
  process.stderr.write(
    `Error: calico-migrate needs Node.js ${minimum.join('.')} or newer (a maintained LTS: 22.19+ or 24); this is Node ${process.versions.node} (${process.execPath}). Install Node 24 (in a checkout: bash scripts/setup.sh puts it in .cache/node/bin) and run again.\n`,
  );
  process.exit(1);
}
