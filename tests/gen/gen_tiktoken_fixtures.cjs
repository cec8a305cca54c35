// Writes tests/data/tiktoken_fixtures.json: the token ids npm tiktoken
// 1.0.22 (OpenAI's Rust core as WASM) gives for a multilingual and
// adversarial corpus, for every built-in encoding. tokd's conformance test
// (tests/unit/test_conformance.c) compares every id.
//
// Usage: cd tests/gen && npm ci && node gen_tiktoken_fixtures.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ROOT, ENCODINGS, loadEncoding, rng } = require('./common.cjs');

const cases = [];
const add = (name, text, mode = 'default') => cases.push({ name, text, mode });

function corpusCases() {
  const dir = path.join(ROOT, 'tests/data/corpus');
  for (const file of fs.readdirSync(dir).sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    add(`corpus/${file}`, text);
    text.split('\n').forEach((line, i) => { if (line.trim()) add(`corpus/${file}:${i + 1}`, line); });
  }
}

function runCases() {
  const units = ['a', 'A', ' ', '\n', '\t', '\r\n', '0', '7', '^', '_', '-', '.', '!', '中', '😀',
    'é', 'e\u0301', 'ab', ' a', 'a ', '12', 'Ab', 'aB', '\u3000', '\u00a0', '\u180e', 'ʰ', "'s"];
  for (const u of units)
    for (const n of [1, 2, 3, 4, 5, 8, 17, 64, 300]) add(`run ${JSON.stringify(u)} x${n}`, u.repeat(n));
  for (const u of ['a', ' ', '0', '^', '_', '中', '\n', 'é'])
    add(`long run ${JSON.stringify(u)} x40000`, u.repeat(40000));
  for (let k = 1; k <= 6; k++) {
    for (const tail of ['x', ' x', '\nx', '1', '!', '中', '']) {
      add(`${k} spaces then ${JSON.stringify(tail)}`, ' '.repeat(k) + tail);
      add(`${k} newlines then ${JSON.stringify(tail)}`, '\n'.repeat(k) + tail);
      add(`${k} mixed ws then ${JSON.stringify(tail)}`, ' \t\n\r\u3000'.slice(0, k) + ' ' + tail);
    }
  }
}

function contractionCases() {
  const cs = ["'s", "'S", "'\u017f", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE", "'m", "'M",
    "'ll", "'LL", "'lL", "'d", "'D", "'x", "'", "''s", "'\u212a"];
  for (const c of cs)
    for (const ctx of ['it%', 'IT%', ' %', '%', '%s', 'a%b', '1%', '!%', '中%', 'Ab%cd', 'aB%', '%\n'])
      add(`contraction ${ctx.replace('%', c)}`, ctx.replace('%', c));
}

function controlCases() {
  for (let c = 0; c < 0xa0; c++) {
    if (c >= 0x20 && c < 0x7f) continue;
    const ch = String.fromCharCode(c);
    add(`control U+${c.toString(16).padStart(4, '0')}`, `a${ch}b ${ch} ${ch}${ch}x\n${ch}`);
  }
}

function randomCases() {
  const palette = [...'aAzZ09 \t\r\n\'".,;:!?/\\-_()[]{}<>|@#$%^&*+=~`'].concat(
    ['é', 'ß', 'ñ', 'Ω', 'ω', 'Ж', 'ж', 'ǅ', 'ʰ', 'ª', '中', '文', 'の', 'ア', '한', 'ก', '्', 'क',
     '\u0301', '\u0308', '\u200d', '\ufe0f', '😀', '👍', '🏽', '٣', '²', 'Ⅻ', '\u00a0', '\u3000',
     '\u2028', '\u180e', '\u0085', 'ſ', 'İ', 'K', 'ﬁ', '\u00ad', '\ufeff', '\u{10400}', '\u{1d400}']);
  const r = rng(20260101);
  for (let i = 0; i < 600; i++) {
    const len = 1 + Math.floor(r() * 40);
    let s = '';
    for (let k = 0; k < len; k++) s += palette[Math.floor(r() * palette.length)];
    add(`random #${i}`, s);
  }
}

function specialCases() {
  const texts = ['<|endoftext|>', 'Hello<|endoftext|>world', '<|endoftext|><|endoftext|>',
    'a <|fim_prefix|>b<|fim_middle|>c<|fim_suffix|>', '<|endofprompt|> end', '<|endoftext',
    '<|start|>user<|message|>hi<|end|>', '<|reserved_200500|>', 'x<|endoftext|> <|endoftext|>\n'];
  for (const t of texts) {
    add(`special default ${t}`, t, 'default');
    add(`special allowed all ${t}`, t, 'allowed_all');
    add(`special ordinary ${t}`, t, 'ordinary');
    add(`special allowed endoftext ${t}`, t, { allowed: ['<|endoftext|>'] });
  }
}

// Invalid UTF-8: tokd encodes as if each maximal invalid subsequence were
// U+FFFD. Python's bytes.decode('utf-8', 'replace') is the authority; the
// expected ids are the reference's ids for Python's replaced text.
function invalidCases() {
  const hexes = ['ff', 'c0af', 'e080af', 'eda080', 'f4908080', 'f09f98', 'f09f9880f09f', '80', 'bf80',
    'c3', '61c362', 'e282', 'e2ac', '68656c6c6fff776f726c64', 'f8888080', 'fe', 'c2', 'e0a0', 'f0908080',
    'f0bfbfbf', 'f48fbfbf', 'edbfbf', 'efbfbe', '2020c0202020', '27c0', 'ce', 'ceb1ce'];
  const py = 'import sys,json\nfor h in json.load(sys.stdin): print(json.dumps(bytes.fromhex(h).decode("utf-8","replace")))';
  const out = execFileSync('python3', ['-c', py], { input: JSON.stringify(hexes) }).toString().trim().split('\n');
  hexes.forEach((h, i) => {
    const text = JSON.parse(out[i]);
    if (new TextDecoder().decode(Buffer.from(h, 'hex')) !== text) throw new Error(`decoders disagree on ${h}`);
    cases.push({ name: `invalid utf-8 ${h}`, hex: h, replaced: text, mode: 'default' });
  });
}

function encodeOne(enc, text, mode) {
  try {
    let ids;
    if (mode === 'default') ids = enc.encode(text);
    else if (mode === 'allowed_all') ids = enc.encode(text, 'all');
    else if (mode === 'ordinary') ids = enc.encode(text, [], []);
    else ids = enc.encode(text, mode.allowed);
    return Array.from(ids);
  } catch (e) {
    return { error: String(e.message || e) };
  }
}

function main() {
  corpusCases(); runCases(); contractionCases(); controlCases(); randomCases(); specialCases(); invalidCases();
  for (const name of ENCODINGS) {
    const enc = loadEncoding(name);
    for (const c of cases) {
      c.ids = c.ids || {};
      c.ids[name] = encodeOne(enc, c.replaced !== undefined ? c.replaced : c.text, c.mode);
    }
    enc.free();
    process.stderr.write(`${name} done\n`);
  }
  const out = { generator: 'tests/gen/gen_tiktoken_fixtures.cjs', reference: 'npm tiktoken 1.0.22',
    encodings: ENCODINGS, cases };
  const lines = JSON.stringify(out).replace(/\{"name"/g, '\n{"name"');
  fs.writeFileSync(path.join(ROOT, 'tests/data/tiktoken_fixtures.json'), lines + '\n');
  process.stderr.write(`${cases.length} cases\n`);
}

main();
