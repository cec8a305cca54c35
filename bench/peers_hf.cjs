// Single-thread encode throughput of Hugging Face's tokenizers (Rust,
// through the npm package @anush008/tokenizers, native, or the official
// tokenizers with HF_PACKAGE=tokenizers) on the same files
// tokd bench reads, for a tokenizer.json. Same method as tokd bench: repeat
// until 0.5 s and 3 runs, best run, MB = 10^6 bytes. One text per call
// (tokenizers parallelises only batches; its thread pool is held to 1).
//
// Usage: node peers_hf.cjs TOKENIZER_JSON FILE...
'use strict';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';
const fs = require('fs');
// HF_PACKAGE picks the binding: @anush008/tokenizers (default) or tokenizers.
const { Tokenizer } = require(process.env.HF_PACKAGE || '@anush008/tokenizers');

async function best(fn) {
  const start = process.hrtime.bigint();
  let min = Infinity, out;
  for (let runs = 0; runs < 3 || Number(process.hrtime.bigint() - start) / 1e9 < 0.5; runs++) {
    const t0 = process.hrtime.bigint();
    out = await fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < min) min = dt;
  }
  return { seconds: min, out };
}

async function main() {
  const [file, ...inputs] = process.argv.slice(2);
  const tok = Tokenizer.fromFile(file);
  console.log(['file', 'bytes', 'hf_tokenizers_MB/s', 'tokens'].join('\t'));
  for (const f of inputs) {
    const text = fs.readFileSync(f, 'utf8');
    const r = await best(async () => (await tok.encode(text, null, { addSpecialTokens: false })).getIds().length);
    console.log([f, Buffer.byteLength(text), (Buffer.byteLength(text) / 1e6 / r.seconds).toFixed(2), r.out].join('\t'));
  }
}

main();
