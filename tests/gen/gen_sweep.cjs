// Writes tests/data/unicode_sweep.json: for every code point 0..0x10FFFF
// (surrogates excluded) four probe strings are encoded by npm tiktoken
// under every built-in encoding; the ids of each block of 256 code points
// are hashed, and the first 16 hex digits of the SHA-256 are stored.
//
// Probes (c is the code point): "a" c "a", "A" c "b", " " c "x", "1" c "\n".
// Hashed stream, per code point in order, per probe: the ids as 32-bit
// little-endian words, then the word 0xFFFFFFFF. tests/unit/test_sweep.c
// computes the same stream with tokd.
//
// All probes of a block go to the reference in one call, separated by
// <|endoftext|> with specials allowed: tiktoken pre-tokenizes each segment
// between special tokens on its own, so this equals one call per probe.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { ROOT, ENCODINGS, loadEncoding } = require('./common.cjs');

const PROBES = [(c) => `a${c}a`, (c) => `A${c}b`, (c) => ` ${c}x`, (c) => `1${c}\n`];
const SEP = '<|endoftext|>';

function blockHash(enc, sepId, block) {
  const texts = [];
  for (let cp = block * 256; cp < block * 256 + 256; cp++) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    const c = String.fromCodePoint(cp);
    for (const p of PROBES) texts.push(p(c));
  }
  const ids = texts.length ? enc.encode(texts.join(SEP) + SEP, 'all') : [];
  const words = [];
  let seps = 0;
  for (const id of ids) {
    if (id === sepId) { words.push(0xFFFFFFFF); seps++; } else words.push(id);
  }
  if (seps !== texts.length) throw new Error(`block ${block}: ${seps} separators for ${texts.length} probes`);
  const buf = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => buf.writeUInt32LE(w >>> 0, i * 4));
  return crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

function main() {
  const out = { generator: 'tests/gen/gen_sweep.cjs', reference: 'npm tiktoken 1.0.22', block: 256,
    probes: ['a%ca', 'A%cb', ' %cx', '1%c\\n'], hash: 'sha256 prefix, 16 hex', encodings: {} };
  for (const name of ENCODINGS) {
    const enc = loadEncoding(name);
    const sepId = enc.encode(SEP, 'all')[0];
    const hashes = [];
    for (let b = 0; b < 0x1100; b++) hashes.push(blockHash(enc, sepId, b));
    out.encodings[name] = hashes.join('');
    enc.free();
    process.stderr.write(`${name} done\n`);
  }
  fs.writeFileSync(path.join(ROOT, 'tests/data/unicode_sweep.json'), JSON.stringify(out, null, 1) + '\n');
}

main();
