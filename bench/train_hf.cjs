// Hugging Face tokenizers' BPE trainer (Rust, through the npm package
// @anush008/tokenizers, native) on a corpus file, as bench/train.sh runs it:
// new Tokenizer(BPE.empty()), the ByteLevel pre-tokenizer (GPT-2's regex, no
// prefix space), train([file]) with the default BpeTrainer (vocab 30000).
// Then encodes the held-out file and prints one line:
//   seconds <train s> tokens <n> bytes <n> vocab <n>
//
// Usage: RAYON_NUM_THREADS=2 node train_hf.cjs CORPUS HELDOUT
'use strict';
const fs = require('fs');
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('@anush008/tokenizers');

async function main() {
  const [corpus, heldout] = process.argv.slice(2);
  const tok = new Tokenizer(BPE.empty());
  tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
  const t0 = process.hrtime.bigint();
  tok.train([corpus]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const text = fs.readFileSync(heldout, 'utf8');
  const enc = await tok.encode(text, null, { addSpecialTokens: false });
  console.log(`seconds ${seconds.toFixed(3)} tokens ${enc.getIds().length} bytes ${Buffer.byteLength(text)} ` +
              `vocab ${tok.getVocabSize(true)}`);
}

main();
