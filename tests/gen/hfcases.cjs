// Shared by the tokenizer.json fixture generators (gen_realfiles.cjs,
// gen_hf_components.cjs): the texts every file is checked on and what is
// recorded per text, as hashes so that nine files x 1,500 texts stay small.
//
// Texts: every case of tests/data/hf_fixtures.json (the multilingual corpus
// and its adversarial cases, invalid UTF-8 as Python's replacement, added
// token cases), then the file's own extra texts (its added tokens in
// context). Per text the reference (npm tokenizers 0.23.2) gives:
//   [h(ids), h(ids with add_special_tokens), h(offsets), h(offsets with
//    add_special_tokens), h(decode(ids)), number of ids]
// where h(x) is the first 16 hex digits of SHA-256 over: ids and offsets
// as decimal numbers joined by ',' (offsets flat: s0,e0,s1,e1,... in code
// points, as the binding counts them), the decoded text as UTF-8.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./common.cjs');

function h(s) {
  return crypto.createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 16);
}

function corpusTexts() {
  const hf = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/hf_fixtures.json'), 'utf8'));
  return hf.cases.map((c) => c.text);
}

// A few texts around the file's added tokens (the first and last specials).
function addedTexts(tok) {
  const json = JSON.parse(tok._json);
  const specials = (json.added_tokens || []).filter((a) => a.special).map((a) => a.content);
  const pick = [...new Set([specials[0], specials[1], specials[specials.length - 1]])].filter(Boolean);
  const out = [];
  for (const s of pick) out.push(s, `a${s}b`, ` ${s} `, `Hello ${s}\nworld${s}${s}`);
  return out;
}

async function record(tok, text) {
  const plain = await tok.encode(text, null, { addSpecialTokens: false });
  const special = await tok.encode(text, null, { addSpecialTokens: true });
  const ids = Array.from(plain.getIds());
  return [h(ids.join(',')), h(Array.from(special.getIds()).join(',')), h(plain.getOffsets().flat().join(',')),
    h(special.getOffsets().flat().join(',')), h(await tok.decode(ids, false)), ids.length];
}

module.exports = { h, corpusTexts, addedTexts, record };
