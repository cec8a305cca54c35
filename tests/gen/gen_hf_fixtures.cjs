// Writes tests/data/hf_fixtures.json: the ids Hugging Face's tokenizers
// (Rust, run by the official npm binding tokenizers 0.23.2, native) gives
// for the Llama 3 and Mistral tokenizer.json files in data/encodings, with
// and without add_special_tokens, and the text it decodes the ids back to.
// Texts: every case of tiktoken_fixtures.json (the multilingual and
// adversarial corpus; invalid UTF-8 cases as Python's replacement) plus
// cases with each model's added tokens.
//
// Usage: cd tests/gen && npm ci && node gen_hf_fixtures.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT } = require('./common.cjs');

const MODELS = ['llama3', 'mistral'];

function texts() {
  const tk = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/tiktoken_fixtures.json'), 'utf8'));
  const out = [];
  const seen = new Set();
  for (const c of tk.cases) {
    const text = c.replaced !== undefined ? c.replaced : c.text;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ name: c.name, text });
  }
  const added = ['<s>Hello</s>', 'a<s>b', '<unk>', '<s><s>', 'x </s> y', '<|begin_of_text|>Hi<|eot_id|>',
    'pre<|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>', '<|reserved_special_token_5|>',
    '<|begin_of_text|', 'Hello <s> world', ' <s>', '<s> ', '\n<s>\n'];
  for (const t of added) out.push({ name: `added tokens ${JSON.stringify(t)}`, text: t });
  return out;
}

// Variants (tests/data/hf_variants.json): a shipped file with some keys replaced.
async function variants() {
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/hf_variants.json'), 'utf8'));
  const out = {};
  for (const [name, v] of Object.entries(spec.variants)) {
    const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/encodings', v.base, 'tokenizer.json'), 'utf8'));
    Object.assign(json, v.set);
    Object.assign(json.model, v.set_model || {});
    if (v.merges_as_pairs) json.model.merges = json.model.merges.map((m) => (Array.isArray(m) ? m : m.split(' ')));
    const file = path.join(require('os').tmpdir(), `tokd-variant-${name}.json`);
    fs.writeFileSync(file, JSON.stringify(json));
    const tok = Tokenizer.fromFile(file);
    out[name] = [];
    for (const text of spec.texts) {
      const plain = Array.from((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
      out[name].push({ text, plain, decoded: await tok.decode(plain, false) });
    }
    fs.unlinkSync(file);
  }
  return out;
}

async function main() {
  const cases = texts();
  for (const name of MODELS) {
    const tok = Tokenizer.fromFile(path.join(ROOT, 'data/encodings', name, 'tokenizer.json'));
    for (const c of cases) {
      const plain = Array.from((await tok.encode(c.text, null, { addSpecialTokens: false })).getIds());
      const special = Array.from((await tok.encode(c.text, null, { addSpecialTokens: true })).getIds());
      const decoded = await tok.decode(plain, false);
      c.ids = c.ids || {};
      c.ids[name] = { plain, special, decoded };
    }
    process.stderr.write(`${name} done\n`);
  }
  const out = { generator: 'tests/gen/gen_hf_fixtures.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face tokenizers, Rust)',
    models: MODELS, variants: await variants(), cases };
  fs.writeFileSync(path.join(ROOT, 'tests/data/hf_fixtures.json'), JSON.stringify(out).replace(/\{"name"/g, '\n{"name"') + '\n');
  process.stderr.write(`${cases.length} cases\n`);
}

main();
