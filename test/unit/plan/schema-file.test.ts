/**
 * schemas/plan.schema.json is generated from src/plan/plan-schema.ts (`npm run schema`). A stale
 * committed file would publish a contract the validator does not enforce, so it fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generatedSchemas, renderJson } from '../../../scripts/generate-schemas.js';
import { PLAN_SCHEMA } from '../../../src/plan/plan-schema.js';

const ROOT = new URL('../../../', import.meta.url);

describe('generated schema files', () => {
  for (const { path, text } of generatedSchemas()) {
    it(`${path} is what \`npm run schema\` writes`, () => {
      assert.equal(readFileSync(new URL(path, ROOT), 'utf8'), text, `${path} is stale: run \`npm run schema\` and commit the result`);
    });
  }

  it('writes the schema value itself (the layout loses nothing)', () => {
    assert.deepEqual(JSON.parse(renderJson(PLAN_SCHEMA)), PLAN_SCHEMA);
  });

  it('lays out properties one per line and short leaves on one line', () => {
    assert.equal(renderJson({ properties: { a: { type: 'string' } }, items: { type: 'string' } }), '{\n  "properties": {\n    "a": { "type": "string" }\n  },\n  "items": { "type": "string" }\n}\n');
  });
});
