// Validates SARIF files against the official SARIF 2.1.0 JSON schema
// (sarif-2.1.0-rtm.5, shipped in the npm package @microsoft/jest-sarif) with
// ajv, both installed by ci/setup into .tools/. Also checks that a broken
// document is rejected, so the validation itself is known to work.
// usage: node validate_sarif.js NODE_MODULES_DIR FILE.sarif...
'use strict';
const fs = require('fs');
const path = require('path');

const modules = path.resolve(process.argv[2]);
const Ajv = require(path.join(modules, 'ajv'));
const schema = require(path.join(modules, '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
const ajv = new Ajv({schemaId: 'auto', allErrors: true, format: 'full'});
ajv.addMetaSchema(require(path.join(modules, 'ajv/lib/refs/json-schema-draft-04.json')));
const validate = ajv.compile(schema);

let failed = false;
for (const file of process.argv.slice(3)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!validate(doc)) {
    failed = true;
    console.log(`${file}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.dataPath} ${e.message}`);
    continue;
  }
  if (doc.runs[0].results.length === 0) {
    console.log(`${file}: valid but has no results (the test wants findings)`);
    failed = true;
    continue;
  }
  // The same document with a result's level misspelled must be rejected.
  const broken = JSON.parse(JSON.stringify(doc));
  broken.runs[0].results[0].level = 'fatal';
  if (validate(broken)) {
    console.log(`${file}: the schema accepted a broken copy; validation is not working`);
    failed = true;
    continue;
  }
  console.log(`${file}: valid SARIF 2.1.0 (${doc.runs[0].results.length} results)`);
}
process.exit(failed ? 1 : 0);
