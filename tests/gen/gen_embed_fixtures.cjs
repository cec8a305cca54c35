// Writes tests/data/embed/: a 256-token byte-level tokenizer (tiny.tiktoken
// + tiny.json) and tiny.safetensors, an F32 table whose values are exact
// in binary so HTTP answers can be checked digit for digit:
//   tok.weight [256, 4]: row i = [i, i + 0.25, i + 0.5, i + 0.75], except
//     row 0 = [Infinity, -Infinity, NaN, -0] and row 1 = [3, 4, 0, 0]
//   pos.weight [8, 4]: row p = [1000 p, 1000 p, 1000 p, 1000 p]
// Usage: node gen_embed_fixtures.cjs   (no dependencies)
'use strict';
const fs = require('fs');
const path = require('path');
const out = path.join(__dirname, '..', 'data', 'embed');
fs.mkdirSync(out, { recursive: true });

let ranks = '';
for (let b = 0; b < 256; b++) ranks += Buffer.from([b]).toString('base64') + ' ' + b + '\n';
fs.writeFileSync(path.join(out, 'tiny.tiktoken'), ranks);
fs.writeFileSync(path.join(out, 'tiny.json'),
  JSON.stringify({ pattern: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                   special_tokens: {} }, null, 2) + '\n');

const tok = new Float32Array(256 * 4), pos = new Float32Array(8 * 4);
for (let i = 0; i < 256; i++) for (let j = 0; j < 4; j++) tok[i * 4 + j] = i + j / 4;
tok.set([Infinity, -Infinity, NaN, -0], 0);
tok.set([3, 4, 0, 0], 4);
for (let p = 0; p < 8; p++) for (let j = 0; j < 4; j++) pos[p * 4 + j] = 1000 * p;
const header = JSON.stringify({
  'tok.weight': { dtype: 'F32', shape: [256, 4], data_offsets: [0, tok.byteLength] },
  'pos.weight': { dtype: 'F32', shape: [8, 4], data_offsets: [tok.byteLength, tok.byteLength + pos.byteLength] },
});
const len = Buffer.alloc(8);
len.writeBigUInt64LE(BigInt(header.length));
fs.writeFileSync(path.join(out, 'tiny.safetensors'),
  Buffer.concat([len, Buffer.from(header), Buffer.from(tok.buffer), Buffer.from(pos.buffer)]));
