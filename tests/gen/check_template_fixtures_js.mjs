// check_template_fixtures_js.mjs - a second opinion on the jinja2 renders of
// tests/data/template_fixtures.json: each is rendered again with npm
// @huggingface/jinja (the renderer of transformers.js) and compared. Prints
// how many agree and the cases that differ; the renders themselves stay
// jinja2's (the reference transformers uses).
// Usage: NODE_PATH=DIR node tests/gen/check_template_fixtures_js.mjs DIR
//   (DIR: a node_modules holding @huggingface/jinja)
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(process.argv[2], 'x.js'));
const { Template } = require('@huggingface/jinja');
const fx = JSON.parse(fs.readFileSync(path.join(root, 'tests/data/template_fixtures.json'), 'utf8'));
let same = 0, differ = 0;
const show = [];
function check(label, src, vars, c) {
  let got;
  try {
    got = { output: new Template(src).render(vars) };
  } catch (e) {
    got = { error: String(e.message) };
  }
  const agree = c.output !== undefined ? got.output === c.output : got.output === undefined;
  if (agree) same++;
  else { differ++; show.push(label); }
}
for (const c of fx.templates) {
  const t = JSON.parse(fs.readFileSync(path.join(root, 'tests/data/templates', c.template + '.json'), 'utf8'));
  check(`${c.template}/${c.case}/gen=${c.add_generation_prompt}`, t.chat_template, c.vars, c);
}
for (const c of fx.features) check(c.source.slice(0, 60), c.source, fx.feature_vars, c);
console.log(`@huggingface/jinja agrees with jinja2 on ${same} of ${same + differ} renders`);
for (const s of show) console.log('  differs: ' + s);
