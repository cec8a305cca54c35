// Writes tests/data/trained_hf.json: what Hugging Face tokenizers (npm
// tokenizers 0.23.2) gives for the tokenizer.json files tokd train writes.
//
// Three tokenizers are trained by tokd on tests/data/corpus (every file, in
// sorted order; vocab 600, min-frequency 2, special token <|end|>), one per
// built-in pattern; each one's NAME.tokenizer.json is loaded by the
// reference and the conformance texts are encoded: every corpus file whole
// and line by line, and texts around the special token. The fixture keeps
// each tokenizer.json's SHA-256 (test_train_hf trains the same tokenizers
// and checks it wrote the same file) and, per text, the reference's ids
// (short texts) or the SHA-256 of its ids joined by commas. Texts are named
// FILE or FILE:LINE (1-based, empty lines left out) and the special-token
// texts are given as they are.
//
// Usage: cd tests/gen && npm ci && node gen_trained_hf.cjs [PATH/TO/tokd]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const hf = require('tokenizers');
const { ROOT } = require('./common.cjs');

const TOKD = path.resolve(process.argv[2] || path.join(ROOT, 'build/tokd'));
const CORPUS_DIR = path.join(ROOT, 'tests/data/corpus');
const FILES = fs.readdirSync(CORPUS_DIR).sort();
const PATTERNS = ['gpt2', 'cl100k_base', 'o200k_base'];
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');

function texts() {
  const out = [];
  for (const f of FILES) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, f), 'utf8');
    out.push({ name: f, text });
    text.split('\n').forEach((line, i) => { if (line) out.push({ name: `${f}:${i + 1}`, text: line }); });
  }
  for (const t of ['<|end|>', 'a<|end|>b', 'hello <|end|> world<|end|>', ' <|end|>\n\n<|end|>  x'])
    out.push({ name: JSON.stringify(t), text: t });
  return out;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tokd-trained-hf-'));
  const fixture = { reference: 'tokenizers@0.23.2', tokenizers: {} };
  for (const pattern of PATTERNS) {
    const dir = path.join(tmp, pattern);
    execFileSync(TOKD, ['train', '--corpus', ...FILES.map((f) => path.join(CORPUS_DIR, f)), '--vocab-size', '600',
      '--special-token', '<|end|>', '--pattern', pattern, '--name', pattern, '-o', dir], { stdio: 'ignore' });
    const json = fs.readFileSync(path.join(dir, `${pattern}.tokenizer.json`));
    const tok = hf.Tokenizer.fromString(json.toString('utf8'));
    const cases = [];
    for (const { name, text } of texts()) {
      const ids = Array.from((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
      const c = name.startsWith('"') ? { name, text } : { name };
      cases.push(ids.length <= 12 ? { ...c, ids } : { ...c, ids_sha256: sha(ids.join(',')) });
    }
    fixture.tokenizers[pattern] = { sha256: sha(json), cases };
  }
  fs.rmSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'tests/data/trained_hf.json'), JSON.stringify(fixture, null, 1) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
