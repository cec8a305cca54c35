// Single-thread encode and count throughput of the JavaScript peers on the
// same files tokd bench reads: npm tiktoken (OpenAI's Rust core as WASM) and
// ai-tokenizer (a pure-JS port). Same method as tokd bench: repeat until
// 0.5 s and 3 runs, report the best run, MB = 10^6 bytes.
//
// Usage: node peers.cjs ENCODING FILE...
'use strict';
const fs = require('fs');
const { get_encoding } = require('tiktoken');
const { Tokenizer } = require('ai-tokenizer');

function best(fn) {
  const start = process.hrtime.bigint();
  let min = Infinity, out;
  for (let runs = 0; runs < 3 || Number(process.hrtime.bigint() - start) / 1e9 < 0.5; runs++) {
    const t0 = process.hrtime.bigint();
    out = fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < min) min = dt;
  }
  return { seconds: min, out };
}

function main() {
  const [name, ...files] = process.argv.slice(2);
  const tk = get_encoding(name);
  const ai = new Tokenizer(require(`ai-tokenizer/encoding/${name}`));
  console.log(['file', 'bytes', 'tiktoken_MB/s', 'ai-tokenizer_MB/s', 'ai-tokenizer_count_MB/s', 'same_count'].join('\t'));
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const bytes = Buffer.byteLength(text);
    const a = best(() => tk.encode_ordinary(text).length);
    const b = best(() => ai.encode(text).length);
    const c = best(() => ai.count(text));
    const mb = bytes / 1e6;
    console.log([f, bytes, (mb / a.seconds).toFixed(2), (mb / b.seconds).toFixed(2), (mb / c.seconds).toFixed(2),
      a.out === b.out ? 'yes' : `no (${a.out} vs ${b.out})`].join('\t'));
  }
  tk.free();
}

main();
