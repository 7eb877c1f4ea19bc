/**
 * actionlint (built by scripts/cluster/build.sh into .cache/bin) over the CI example and this
 * repository's workflows, with shellcheck on their run: scripts when it is installed (setup.sh
 * installs Debian's as root): any finding fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/cluster.js';
import { Workdir } from './support/e2e.js';

const ACTIONLINT = path.join(process.env.CALICO_MIGRATE_CACHE ?? path.join(ROOT, '.cache'), 'bin', 'actionlint');

function yamlFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return existsSync(abs)
    ? readdirSync(abs)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f))
    : [];
}

function shellcheck(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function actionlint(files: string[], cwd = ROOT) {
  const sc = shellcheck();
  // An empty -shellcheck= turns it off; pyflakes has nothing to check here.
  return spawnSync(ACTIONLINT, ['-no-color', '-oneline', `-shellcheck=${sc ?? ''}`, '-pyflakes=', ...files], { cwd, encoding: 'utf8' });
}

describe('actionlint on the CI workflows', () => {
  before(function () {
    assert.ok(existsSync(ACTIONLINT), `${ACTIONLINT} is missing: run \`bash scripts/setup.sh\` (or \`bash scripts/cluster/build.sh actionlint\`)`);
    if (!shellcheck()) process.stderr.write('[ci-lint] shellcheck is not installed: actionlint checks the workflows without it\n');
  });

  it('finds nothing in examples/ci/*.yml and .github/workflows/*.yml', () => {
    const files = [...yamlFiles('examples/ci'), ...yamlFiles('.github/workflows')];
    assert.ok(files.includes('examples/ci/calico-migrate.yml') && files.includes('.github/workflows/release.yml'), files.join(' '));
    const r = actionlint(files);
    assert.equal(r.status, 0, `actionlint ${files.join(' ')}:\n${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
  });

  it('is really checking: an undefined step output and (with shellcheck) an unquoted variable are findings', () => {
    const dir = new Workdir().dir;
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, ['on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: echo "${{ steps.nope.outputs.x }}"', '      - run: rm -rf $DIR/build', ''].join('\n'));
    const r = actionlint([file], dir);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /property "nope" is not defined/);
    if (shellcheck()) assert.match(r.stdout, /SC2086/);
  });
});
