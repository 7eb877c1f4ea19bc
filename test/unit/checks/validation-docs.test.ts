/** docs/calico-validation.md is generated from the rule table (`npm run readme`); a stale file would list rules that are not checked. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validationDocs } from '../../../scripts/validation-docs.js';

describe('docs/calico-validation.md', () => {
  it('is what `npm run readme` writes', () => {
    assert.equal(readFileSync(new URL('../../../docs/calico-validation.md', import.meta.url), 'utf8'), validationDocs(), 'docs/calico-validation.md is stale: run `npm run readme` and commit it');
  });
});
