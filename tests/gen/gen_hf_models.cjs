// Writes tests/data/hf_models/*.json (tokenizer.json files trained and
// saved by Hugging Face tokenizers itself, npm tokenizers 0.23.2) and
// tests/data/hf_models.json: variants of those files, one per model
// option, post-processor and decoder tokd implements, alone and in the
// combinations real models use, with what the reference gives for each on
// the texts of hfcases.cjs (every 4th corpus case, all the corpus files and
// added-token cases, the file's own added tokens), hashed as hfcases.cjs
// says.
//
// A base is trained on tests/data/corpus by the reference's default
// trainer for its model (Tokenizer.train), then edited as JSON where the
// binding exposes no option (special tokens in the vocabulary, affixes,
// byte tokens) and loaded and saved by the reference again, so every file
// is one Hugging Face wrote. A base already in tests/data/hf_models is read
// from there instead (the trainer breaks ties in hash order, so training
// again gives other files). A variant replaces top-level members (set) or
// model members (set_model) of its base, as tests/data/hf_variants.json
// does; test_hf_models applies the same edit before loading.
//
// Usage: cd tests/gen && npm ci && node gen_hf_models.cjs
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const hf = require('tokenizers');
const { ROOT } = require('./common.cjs');
const { corpusTexts, addedTexts, record } = require('./hfcases.cjs');

const OUT = path.join(ROOT, 'tests/data/hf_models');
const CORPUS = fs.readdirSync(path.join(ROOT, 'tests/data/corpus')).sort()
  .map((f) => path.join(ROOT, 'tests/data/corpus', f));

// Words and runs of other non-space characters, written with classes that
// mean the same in the reference's regex engine and in PCRE2 (\w and \s do
// not: marks are \w and U+180E is \s for one of them only; that is the
// pre-tokenizers' concern, tested with the real files).
const W = '\\p{L}\\p{M}\\p{N}_';
const S = '\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}';
const WORDS = { type: 'Sequence', pretokenizers: [
  { type: 'Split', pattern: { Regex: `[${S}]+` }, behavior: 'Removed', invert: false },
  { type: 'Split', pattern: { Regex: `[${W}]+|[^${W}${S}]+` }, behavior: 'Isolated', invert: false }] };
const BYTELEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
// affixes longer than 16 bytes
const LONG_PREFIX = '@@continuing_prefix@';
const LONG_SUFFIX = '</end_of_the_word>';
const METASPACE = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };

function saved(tok) {
  const file = path.join(os.tmpdir(), `tokd-component-${process.pid}.json`);
  tok.save(file);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.unlinkSync(file);
  return json;
}

function train(model, preTokenizer) {
  const tok = new hf.Tokenizer(model);
  tok.setPreTokenizer(preTokenizer);
  tok.train(CORPUS);
  return saved(tok);
}

// Put tokens at the end of the model's vocabulary; `special` ones also as
// special added tokens.
function addVocab(json, tokens, special) {
  let next = Math.max(...Object.values(json.model.vocab)) + 1;
  json.added_tokens = json.added_tokens || [];
  for (const t of tokens) {
    if (json.model.vocab[t] !== undefined) continue;
    json.model.vocab[t] = next;
    if (special) json.added_tokens.push({ id: next, content: t, single_word: false, lstrip: false, rstrip: false,
      normalized: false, special: true });
    next++;
  }
  return json;
}

function byteTokens(keep) {
  const out = [];
  for (let b = 0; b < 256; b++) if (keep(b)) out.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  return out;
}

// A char-level BPE rewritten for continuing_subword_prefix and/or
// end_of_word_suffix: every token also with the affixes, every merge for
// each place its sides can take in a word.
function withAffixes(json, prefix, suffix) {
  const forms = (t) => {
    const f = [t];
    if (prefix) f.push(prefix + t);
    if (suffix) f.push(...f.map((x) => x + suffix));
    return f;
  };
  const vocab = {};
  for (const t of Object.keys(json.model.vocab).sort((a, b) => json.model.vocab[a] - json.model.vocab[b]))
    for (const f of forms(t)) if (vocab[f] === undefined) vocab[f] = Object.keys(vocab).length;
  const merges = [];
  for (const m of json.model.merges) {
    const [a, b] = Array.isArray(m) ? m : m.split(' ');
    const lefts = prefix ? [a, prefix + a] : [a];
    const rights = [prefix ? prefix + b : b];
    if (suffix) rights.push(rights[0] + suffix);
    for (const l of lefts) for (const r of rights) merges.push([l, r]);
  }
  json.model.vocab = vocab;
  json.model.merges = merges;
  json.model.continuing_subword_prefix = prefix || null;
  json.model.end_of_word_suffix = suffix || null;
  return json;
}

function bases() {
  const bert = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const wp = train(hf.WordPiece.empty(), hf.whitespacePreTokenizer());
  addVocab(wp, bert, true);
  Object.assign(wp, { pre_tokenizer: WORDS, decoder: { type: 'WordPiece', prefix: '##', cleanup: true } });
  const wl = addVocab(train(hf.WordLevel.empty(), hf.whitespacePreTokenizer()), ['<unk>', '<s>', '</s>'], true);
  wl.model.unk_token = '<unk>';
  wl.pre_tokenizer = WORDS;
  const chars = addVocab(train(hf.BPE.empty(), hf.whitespacePreTokenizer()), ['[UNK]', '<s>', '</s>'], true);
  Object.assign(chars.model, { unk_token: '[UNK]' });
  chars.pre_tokenizer = WORDS;
  const bl = train(hf.BPE.empty(), hf.byteLevelPreTokenizer(false, true));
  addVocab(bl, hf.byteLevelAlphabet(), false);
  addVocab(bl, ['<s>', '</s>', '<pad>'], true);
  Object.assign(bl, { pre_tokenizer: BYTELEVEL, decoder: { type: 'ByteLevel', add_prefix_space: true,
    trim_offsets: true, use_regex: true } });
  const ms = addVocab(train(hf.BPE.empty(), hf.metaspacePreTokenizer('\u2581', 'always', true)),
    ['<unk>', '<s>', '</s>'], true);
  addVocab(ms, byteTokens(() => true), false);
  Object.assign(ms.model, { unk_token: '<unk>', byte_fallback: true, fuse_unk: true });
  Object.assign(ms, { pre_tokenizer: METASPACE, decoder: { type: 'Sequence', decoders: [
    { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
    { type: 'Strip', content: ' ', start: 1, stop: 0 }] } });
  const copy = (j) => JSON.parse(JSON.stringify(j));
  const prefixBytes = addVocab(withAffixes(copy(chars), '##', ''), byteTokens(() => true), false);
  prefixBytes.model.byte_fallback = true;
  const wpLong = copy(wp);
  wpLong.model.vocab = Object.fromEntries(Object.entries(wp.model.vocab)
    .map(([t, id]) => [t.startsWith('##') ? LONG_PREFIX + t.slice(2) : t, id]));
  Object.assign(wpLong.model, { continuing_subword_prefix: LONG_PREFIX });
  wpLong.decoder = { type: 'WordPiece', prefix: LONG_PREFIX, cleanup: true };
  return { wordpiece: wp, wordlevel: wl, bpe_chars: chars, bytelevel: bl, metaspace: ms,
    bpe_prefix: withAffixes(copy(chars), '##', ''), bpe_suffix: withAffixes(copy(chars), '', '</w>'),
    bpe_affixes: withAffixes(copy(chars), '##', '</w>'), bpe_prefix_bytes: prefixBytes,
    bpe_long_affixes: withAffixes(copy(chars), LONG_PREFIX, LONG_SUFFIX), wordpiece_long_prefix: wpLong };
}

// Where byte fallback spells an affix out, the word is longer than the text
// it came from; the reference gives the tokens past its end their place in
// the word as bytes of the caller's text, converted to code points where
// those bytes exist (a byte inside a character ends before it) and left as
// bytes where they run past the text. tokd gives the same bytes, held
// inside the text, converted as any range (README, known differences).
const SPELLED = 'tokens past a word spelled out with its affixes: the reference places them outside the word';

const tpl = (single, tokens) => ({ type: 'TemplateProcessing', single, pair: single.concat(single.slice(1)), 
  special_tokens: tokens });

function variants(b) {
  const id = (base, t) => b[base].model.vocab[t];
  const st = (base, names) => Object.fromEntries(names.map((n) => [n, { id: n, ids: [id(base, n)], tokens: [n] }]));
  const seq = (id) => ({ Sequence: { id, type_id: 0 } });
  const sp = (id) => ({ SpecialToken: { id, type_id: 0 } });
  const bl = (trim) => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: trim, use_regex: true });
  const roberta = (trim, prefix) => ({ type: 'RobertaProcessing', sep: ['</s>', id('bytelevel', '</s>')],
    cls: ['<s>', id('bytelevel', '<s>')], trim_offsets: trim, add_prefix_space: prefix });
  const dec = (...decoders) => ({ decoder: { type: 'Sequence', decoders } });
  return [
    // models
    { name: 'wordpiece', base: 'wordpiece' },
    { name: 'wordpiece_max_chars_8', base: 'wordpiece', set_model: { max_input_chars_per_word: 8 } },
    { name: 'wordlevel', base: 'wordlevel' },
    { name: 'bpe_unk', base: 'bpe_chars' },
    { name: 'bpe_unk_fused', base: 'bpe_chars', set_model: { fuse_unk: true } },
    { name: 'bpe_no_unk', base: 'bpe_chars', set_model: { unk_token: null } },
    { name: 'bpe_ignore_merges', base: 'bpe_chars', set_model: { ignore_merges: true } },
    { name: 'bpe_prefix', base: 'bpe_prefix', set_model: { unk_token: '[UNK]' } },
    { name: 'bpe_suffix', base: 'bpe_suffix', set: { decoder: { type: 'BPEDecoder', suffix: '</w>' } } },
    { name: 'bpe_affixes', base: 'bpe_affixes', set_model: { fuse_unk: true },
      set: { decoder: { type: 'BPEDecoder', suffix: '</w>' } } },
    // byte_fallback spells a unit with its affixes, as it looks it up
    { name: 'bpe_prefix_byte_fallback', base: 'bpe_prefix_bytes', offsets_differ: SPELLED },
    { name: 'bpe_prefix_byte_fallback_partial', base: 'bpe_prefix_bytes', set_model: { unk_token: '[UNK]' },
      drop_vocab: byteTokens((x) => x === 0x23 || (x >= 0xC0 && x % 3 === 0)) },
    { name: 'bpe_affixes_byte_fallback', base: 'bpe_prefix_bytes', set_model: { end_of_word_suffix: '</w>',
      unk_token: '[UNK]', fuse_unk: true }, offsets_differ: SPELLED },
    { name: 'bpe_long_affixes', base: 'bpe_long_affixes', set_model: { unk_token: '[UNK]' },
      set: { decoder: { type: 'BPEDecoder', suffix: LONG_SUFFIX } } },
    { name: 'wordpiece_long_prefix', base: 'wordpiece_long_prefix' },
    { name: 'bytelevel', base: 'bytelevel' },
    { name: 'metaspace_byte_fallback', base: 'metaspace' },
    { name: 'metaspace_byte_fallback_partial', base: 'metaspace',
      drop_vocab: byteTokens((x) => x >= 0xC0 && x % 3 === 0) },
    // post-processors
    { name: 'template', base: 'wordpiece', set: { post_processor: tpl([sp('[CLS]'), seq('A'), sp('[SEP]')],
      st('wordpiece', ['[CLS]', '[SEP]'])) } },
    { name: 'template_two_ids', base: 'wordpiece', set: { post_processor: tpl([sp('[CLS]'), sp('[MASK]'), seq('A'),
      sp('[SEP]')], st('wordpiece', ['[CLS]', '[SEP]', '[MASK]'])) } },
    { name: 'bert_processing', base: 'wordpiece', set: { post_processor: { type: 'BertProcessing',
      sep: ['[SEP]', id('wordpiece', '[SEP]')], cls: ['[CLS]', id('wordpiece', '[CLS]')] } } },
    { name: 'roberta_trim_prefix', base: 'bytelevel', set: { post_processor: roberta(true, true) } },
    { name: 'roberta_trim', base: 'bytelevel', set: { post_processor: roberta(true, false) } },
    { name: 'roberta_no_trim', base: 'bytelevel', set: { post_processor: roberta(false, true) } },
    { name: 'bytelevel_post_trim', base: 'bytelevel', set: { post_processor: bl(true) } },
    { name: 'bytelevel_post_no_trim', base: 'bytelevel', set: { post_processor: bl(false) } },
    { name: 'post_sequence', base: 'bytelevel', set: { post_processor: { type: 'Sequence', processors: [bl(true),
      tpl([sp('<s>'), seq('A'), sp('</s>')], st('bytelevel', ['<s>', '</s>']))] } } },
    // decoders
    { name: 'wordpiece_decoder_no_cleanup', base: 'wordpiece',
      set: { decoder: { type: 'WordPiece', prefix: '##', cleanup: false } } },
    { name: 'ctc', base: 'bpe_chars', set: { decoder: { type: 'CTC', pad_token: '[UNK]', word_delimiter_token: 'e',
      cleanup: true } } },
    { name: 'ctc_no_cleanup', base: 'bpe_chars', set: { decoder: { type: 'CTC', pad_token: 'a',
      word_delimiter_token: '|', cleanup: false } } },
    { name: 'bytelevel_then_replace', base: 'bytelevel', set: dec({ type: 'ByteLevel', add_prefix_space: true,
      trim_offsets: true, use_regex: true }, { type: 'Replace', pattern: { String: 'e' }, content: 'E' }) },
    { name: 'replace_then_bytelevel', base: 'bytelevel', set: dec({ type: 'Replace', pattern: { String: '\u0120' },
      content: '_' }, { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }) },
    // (Hugging Face's Strip panics on a token it empties if stop > 0: one side each)
    { name: 'strip_end', base: 'wordlevel', set: dec({ type: 'Strip', content: 's', start: 0, stop: 1 }) },
    { name: 'strip_and_regex_replace', base: 'wordlevel', set: dec({ type: 'Strip', content: 'e', start: 2, stop: 0 },
      { type: 'Replace', pattern: { Regex: '[aeiou]+' }, content: '_' }, { type: 'Fuse' }) },
    { name: 'metaspace_decoder', base: 'metaspace', set: { decoder: { type: 'Metaspace', replacement: '\u2581',
      prepend_scheme: 'always', split: true } } },
    // combinations real models use
    { name: 'roberta', base: 'bytelevel', set: { post_processor: roberta(true, false), pre_tokenizer: { type:
      'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } } },
    { name: 'bert', base: 'wordpiece', set: { normalizer: { type: 'BertNormalizer', clean_text: true,
      handle_chinese_chars: true, strip_accents: null, lowercase: true }, pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', id('wordpiece', '[SEP]')],
        cls: ['[CLS]', id('wordpiece', '[CLS]')] } } },
  ];
}

function applyVariant(base, v) {
  const json = JSON.parse(JSON.stringify(base));
  Object.assign(json, v.set || {});
  Object.assign(json.model, v.set_model || {});
  for (const t of v.drop_vocab || []) delete json.model.vocab[t];
  return json;
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const b = bases();
  for (const [name, json] of Object.entries(b)) {
    const file = path.join(OUT, `${name}.json`);
    if (fs.existsSync(file)) { // committed: kept (training breaks ties by hash order, so it varies)
      b[name] = JSON.parse(fs.readFileSync(file, 'utf8'));
      continue;
    }
    b[name] = saved(hf.Tokenizer.fromString(JSON.stringify(json)));
    fs.writeFileSync(file, JSON.stringify(b[name]) + '\n');
  }
  const all = corpusTexts();
  const hfc = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/hf_fixtures.json'), 'utf8')).cases;
  const pick = all.map((_, i) => i).filter((i) => i % 4 === 0 || hfc[i].name.startsWith('corpus/') ||
    hfc[i].name.startsWith('added tokens'));
  const texts = pick.map((i) => all[i]);
  const out = { generator: 'tests/gen/gen_hf_models.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    record: 'hfcases.cjs: [h(ids), h(ids special), h(offsets), h(offsets special), h(decode), n_ids]',
    corpus_cases: pick, variants: [] };
  for (const v of variants(b)) {
    const data = JSON.stringify(applyVariant(b[v.base], v));
    const tok = hf.Tokenizer.fromString(data);
    tok._json = data;
    const extra = addedTexts(tok);
    const item = Object.assign({}, v, { extra, cases: [] });
    for (const t of texts.concat(extra)) item.cases.push(await record(tok, t));
    out.variants.push(item);
    process.stderr.write(`${v.name}: ${item.cases.length} texts\n`);
  }
  fs.writeFileSync(path.join(ROOT, 'tests/data/hf_models.json'),
    JSON.stringify(out).replace(/\{"name"/g, '\n{"name"').replace(/\],\[/g, '],\n[') + '\n');
}

main();
