// Writes tests/data/spm/unigram_fixtures.json: the ids, offsets and decoded
// text Hugging Face's tokenizers (npm tokenizers 0.23.2, the official node
// binding) gives for the Unigram tokenizer.json files gen_spm_fixtures.py
// converts from sentencepiece models (t5_style: Precompiled nmt_nfkc +
// Metaspace + Unigram; fallback_style: Precompiled nfkc + Metaspace +
// Unigram with byte_fallback), on every text of spm_fixtures.json.
//
// Stored as gen_spm_fixtures.py stores ids: per text and tokenizer, the
// count "n", "h" the first 16 hex digits of the SHA-256 of the ids as
// little-endian u32s, "oh" the same of the offsets (code points, flat
// [s0, e0, s1, e1, ...]), the ids and offsets in full for texts up to 64
// bytes, and the decoded text ("dec", or its hash "dh" for long texts)
// where it differs from the text. decode keeps special tokens.
//
// Usage: cd tests/gen && npm ci && node gen_unigram_fixtures.cjs
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT } = require('./common.cjs');

const FILES = ['t5_style', 'fallback_style'];
const SHORT = 64;

function digest(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

function u32s(v) {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x, 4 * i));
  return b;
}

function texts() {
  const spm = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/spm/spm_fixtures.json'), 'utf8'));
  const tk = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/tiktoken_fixtures.json'), 'utf8'));
  const byName = new Map(tk.cases.map((c) => [c.name, c.replaced !== undefined ? c.replaced : c.text]));
  return spm.cases.map((c) => ({ name: c.name, text: c.text !== undefined ? c.text : byName.get(c.name), inline: c.text !== undefined }));
}

async function answer(tok, text) {
  const e = await tok.encode(text, null, { addSpecialTokens: false });
  const ids = Array.from(e.getIds());
  const offsets = e.getOffsets().flat();
  const decoded = await tok.decode(ids, false);
  const out = { n: ids.length, h: digest(u32s(ids)), oh: digest(u32s(offsets)) };
  const short = Buffer.byteLength(text) <= SHORT;
  if (short) Object.assign(out, { ids, offsets });
  if (decoded !== text) out[short ? 'dec' : 'dh'] = short ? decoded : digest(Buffer.from(decoded));
  return out;
}

async function main() {
  const cases = texts();
  const out = { generator: 'tests/gen/gen_unigram_fixtures.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    unit: 'code points', files: FILES, cases: [] };
  const toks = FILES.map((f) => Tokenizer.fromString(fs.readFileSync(path.join(ROOT, 'tests/data/spm', f + '.json'), 'utf8')));
  for (const c of cases) {
    const item = c.inline ? { name: c.name, text: c.text } : { name: c.name };
    for (let i = 0; i < FILES.length; i++) item[FILES[i]] = await answer(toks[i], c.text);
    out.cases.push(item);
  }
  fs.writeFileSync(path.join(ROOT, 'tests/data/spm/unigram_fixtures.json'),
    JSON.stringify(out).replace(/\{"name"/g, '\n{"name"') + '\n');
  process.stderr.write(`${out.cases.length} cases\n`);
}

main();
