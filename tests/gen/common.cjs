// Shared by the fixture generators: the reference encoders, built exactly
// as tiktoken defines them (o200k_harmony is built from o200k_base's ranks
// and pattern plus gpt-oss's special tokens, as tiktoken_ext does).
'use strict';
const fs = require('fs');
const path = require('path');
const { get_encoding, Tiktoken } = require('tiktoken');

const ROOT = path.resolve(__dirname, '../..');
const ENCODINGS = ['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base', 'o200k_harmony'];

function harmonySpecials() {
  const sp = { '<|endoftext|>': 199999, '<|endofprompt|>': 200018, '<|startoftext|>': 199998,
    '<|reserved_200000|>': 200000, '<|reserved_200001|>': 200001, '<|return|>': 200002,
    '<|constrain|>': 200003, '<|reserved_200004|>': 200004, '<|channel|>': 200005,
    '<|start|>': 200006, '<|end|>': 200007, '<|message|>': 200008, '<|reserved_200009|>': 200009,
    '<|reserved_200010|>': 200010, '<|reserved_200011|>': 200011, '<|call|>': 200012 };
  for (let i = 200013; i < 201088; i++) sp[`<|reserved_${i}|>`] = i;
  return sp;
}

function loadEncoding(name) {
  if (name !== 'o200k_harmony') return get_encoding(name);
  const registry = require('tiktoken/registry.json');
  const ranks = fs.readFileSync(path.join(ROOT, 'data/encodings/o200k_base.tiktoken'), 'utf8');
  return new Tiktoken(ranks, harmonySpecials(), registry.o200k_base.pat_str);
}

// Deterministic PRNG (mulberry32) so regenerating gives identical fixtures.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The C lines of a two-stage table of one byte per code point: `prefix`_stage1
// (uint16, one entry per 256 code points, the block's index) and
// `prefix`_stage2 (the distinct 256-byte blocks).
function twoStageTable(values, prefix) {
  const blocks = new Map();
  const stage1 = [];
  const stage2 = [];
  for (let hi = 0; hi < 0x1100; hi++) {
    const block = values.subarray(hi * 256, hi * 256 + 256);
    const key = Buffer.from(block).toString('hex');
    if (!blocks.has(key)) { blocks.set(key, blocks.size); stage2.push(block); }
    stage1.push(blocks.get(key));
  }
  const out = [`const uint16_t ${prefix}_stage1[${stage1.length}] = {`];
  for (let i = 0; i < stage1.length; i += 16) out.push('    ' + stage1.slice(i, i + 16).join(', ') + ',');
  out.push('};', '', `const uint8_t ${prefix}_stage2[${stage2.length}][256] = {`);
  for (const block of stage2) {
    out.push('    {');
    for (let i = 0; i < 256; i += 16) out.push('        ' + Array.from(block.subarray(i, i + 16)).join(', ') + ',');
    out.push('    },');
  }
  out.push('};');
  return out;
}

// Unicode script names, [[short, long], ...]: Debian perl's Unicode::UCD
// (Unicode 14) and the scripts of Unicode 15-16 it lacks.
function scriptNames() {
  const { execFileSync } = require('child_process');
  const perl = execFileSync('perl', ['-MUnicode::UCD=prop_values,prop_value_aliases', '-e',
    'for (prop_values("sc")) { print join(",", prop_value_aliases("sc", $_)), "\\n" }'], { encoding: 'utf8' });
  return perl.trim().split('\n').map((l) => l.split(',').filter(Boolean)).filter((n) => n.length).concat([['Kawi'], ['Nagm', 'Nag_Mundari'],
    ['Gara', 'Garay'], ['Gukh', 'Gurung_Khema'], ['Krai', 'Kirat_Rai'], ['Onao', 'Ol_Onal'], ['Sunu', 'Sunuwar'],
    ['Todr', 'Todhri'], ['Tutg', 'Tulu_Tigalari']]);
}

module.exports = { ROOT, ENCODINGS, loadEncoding, rng, harmonySpecials, twoStageTable, scriptNames };
