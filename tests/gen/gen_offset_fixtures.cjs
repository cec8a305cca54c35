// Writes tests/data/hf_offsets.json: the ids and offsets Hugging Face's
// tokenizers (npm tokenizers 0.23.2, the official node binding, native
// Rust) gives for the Llama 3 and Mistral tokenizer.json files in
// data/encodings, on every text of hf_fixtures.json (the multilingual and
// adversarial corpus plus cases with added tokens).
//
// Encoding.getOffsets() in this binding counts characters (code points) of
// the input, [start, end) per token; a token made of part of a character
// (byte-level BPE) covers the whole character; post-processor tokens are
// [0, 0]. Cases are hf_fixtures.json's, in its order and by name (the text
// is read from there). Offsets are stored flat: [s0, e0, s1, e1, ...]. "plain" is
// addSpecialTokens: false for every text, "special" is addSpecialTokens:
// true for the texts with added tokens (the rest only gain BOS).
//
// Usage: cd tests/gen && npm ci && node gen_offset_fixtures.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT } = require('./common.cjs');

const MODELS = ['llama3', 'mistral'];

async function run(tok, text, special) {
  const e = await tok.encode(text, null, { addSpecialTokens: special });
  return { ids: Array.from(e.getIds()), offsets: e.getOffsets().flat() };
}

// What is stored: the offsets, and the ids only where hf_fixtures.json has
// none to compare with (addSpecialTokens: true is stored there too, so
// "special" keeps both for the reader's convenience).
function stored(r, withIds) {
  return withIds ? r : { offsets: r.offsets };
}

async function main() {
  const hf = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/hf_fixtures.json'), 'utf8'));
  const out = { generator: 'tests/gen/gen_offset_fixtures.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    unit: 'code points', models: MODELS, cases: [] };
  const toks = MODELS.map((m) => Tokenizer.fromFile(path.join(ROOT, 'data/encodings', m, 'tokenizer.json')));
  let differ = 0;
  for (const c of hf.cases) {
    const item = { name: c.name };
    for (let i = 0; i < MODELS.length; i++) {
      const plain = await run(toks[i], c.text, false);
      item[MODELS[i]] = { plain: stored(plain, false) };
      if (c.name.startsWith('added tokens')) item[MODELS[i]].special = stored(await run(toks[i], c.text, true), true);
      if (JSON.stringify(plain.ids) !== JSON.stringify(c.ids[MODELS[i]].plain)) differ++;
    }
    out.cases.push(item);
  }
  out.ids_differ_from_hf_fixtures = differ;
  fs.writeFileSync(path.join(ROOT, 'tests/data/hf_offsets.json'), JSON.stringify(out).replace(/\{"name"/g, '\n{"name"') + '\n');
  process.stderr.write(`${out.cases.length} cases, ${differ} with ids other than hf_fixtures.json's\n`);
}

main();
