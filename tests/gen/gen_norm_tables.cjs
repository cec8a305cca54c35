// Derives the data of tokd's Unicode normalizers from the reference itself.
//
// Hugging Face tokenizers normalizes with its own Unicode data (the
// unicode-normalization-alignments crate for NFC/NFD/NFKC/NFKD and
// StripAccents, Rust's char::to_lowercase for Lowercase, its own tables for
// BertNormalizer), which is not the Unicode version Debian or Node carry
// (its normalization data stops at Unicode 9.0: marks added in 10.0 are
// unknown to it). So every table here is read back from the reference
// normalizers of npm tokenizers@0.23.2, one code point at a time:
//   - full canonical and compatibility decompositions: NFD / NFKD of each
//     code point alone;
//   - combining classes: which code points NFD reorders around U+0301 /
//     U+0316 are the non-starters; NFD of every ordered pair of them gives
//     their order, written as each class's rank (only the order matters to
//     the algorithm; the numbers are not Unicode's);
//   - primary composites: code points that NFC keeps and that NFC composes
//     back from (NFC of the decomposition without its last mark, last mark);
//   - Lowercase: each code point's lower case; StripAccents: the code points
//     it removes; the Punctuation (and BertPreTokenizer) pre-tokenizers'
//     punctuation; the Whitespace pre-tokenizer's word characters; BertNormalizer: what clean_text removes or turns into a
//     space, which code points handle_chinese_chars pads, which marks
//     strip_accents removes after NFD.
// Hangul syllables are left to the algorithm (nfc.c), and checked here.
//
// Usage (in tests/gen, after npm ci): node gen_norm_tables.cjs > ../../src/core/norm_tables.c
'use strict';
const t = require('tokenizers');

// Every code point but the surrogates and '\n' (the batches' separator,
// which every normalizer here keeps as it is).
const ALL = [];
for (let cp = 0; cp < 0x110000; cp++) if ((cp < 0xD800 || cp >= 0xE000) && cp !== 0x0A) ALL.push(cp);
const ch = (cp) => String.fromCodePoint(cp);
const cpsOf = (s) => [...s].map((c) => c.codePointAt(0));
const hangul = (cp) => cp >= 0xAC00 && cp <= 0xD7A3;

function normalizer(json) {
  const file = { version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: json,
    pre_tokenizer: null, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } };
  return t.Tokenizer.fromString(JSON.stringify(file)).getNormalizer();
}

// The normalized form of each string, normalized in batches joined by `sep`
// (a character none of the strings or their forms contains).
function each(norm, strings, sep = '\n') {
  const out = [];
  if (strings.some((s) => s.includes(sep))) throw new Error('a string holds the separator');
  for (let i = 0; i < strings.length; i += 4096) {
    const batch = strings.slice(i, i + 4096);
    const got = norm.normalizeString(batch.join(sep)).split(sep);
    if (got.length !== batch.length) throw new Error('a separator was normalized away');
    out.push(...got);
  }
  return out;
}

function mapOf(norm, cps, sep) {
  const got = each(norm, cps.map(ch), sep);
  const m = new Map();
  cps.forEach((cp, i) => { if (got[i] !== ch(cp)) m.set(cp, cpsOf(got[i])); });
  return m;
}

function classes(nfd, canon) {
  const starters = ALL.filter((cp) => !canon.has(cp));
  const probes = [];
  for (const cp of starters) probes.push(ch(0x301) + ch(cp), ch(cp) + ch(0x301), ch(cp) + ch(0x316));
  const got = each(nfd, probes);
  const marks = starters.filter((cp, i) => [0, 1, 2].some((k) => got[3 * i + k] !== probes[3 * i + k]));
  const pairs = [];
  for (const a of marks) for (const b of marks) pairs.push(ch(a) + ch(b));
  const swapped = each(nfd, pairs).map((s, i) => s !== pairs[i]);
  // below[a]: how many marks sort before a; equal counts are equal classes
  const below = marks.map((a, i) => marks.reduce((n, b, j) => n + (swapped[i * marks.length + j] ? 1 : 0), 0));
  const ranks = [...new Set(below)].sort((x, y) => x - y);
  return new Map(marks.map((cp, i) => [cp, ranks.indexOf(below[i]) + 1]));
}

function composites(nfc, canon) {
  const cands = [...canon.keys()].filter((cp) => !hangul(cp) && canon.get(cp).length >= 2);
  const kept = each(nfc, cands.map(ch)).map((s, i) => s === ch(cands[i]));
  const c2 = cands.filter((cp, i) => kept[i]);
  const heads = each(nfc, c2.map((cp) => String.fromCodePoint(...canon.get(cp).slice(0, -1))));
  const out = [];
  c2.forEach((cp, i) => {
    const first = cpsOf(heads[i]);
    const last = canon.get(cp).at(-1);
    if (first.length !== 1) throw new Error(`U+${cp.toString(16)}: its head does not compose to one character`);
    out.push([first[0], last, cp]);
  });
  const back = each(nfc, out.map(([a, b]) => ch(a) + ch(b)));
  out.forEach(([a, b, cp], i) => {
    if (back[i] !== ch(cp)) throw new Error(`U+${a.toString(16)} U+${b.toString(16)} does not compose to U+${cp.toString(16)}`);
  });
  return out.sort((x, y) => (x[0] - y[0]) || (x[1] - y[1]));
}

// The code points a pre-tokenizer removes (behaviour Removed), over every
// code point but the surrogates.
function splitAway(json) {
  const file = { version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: json, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } };
  const pre = t.Tokenizer.fromString(JSON.stringify(file)).getPreTokenizer();
  const away = [];
  for (let start = 0; start < 0x110000; start += 0x8000) {
    const cps = [];
    for (let cp = start; cp < start + 0x8000; cp++) if (cp < 0xD800 || cp >= 0xE000) cps.push(cp);
    const kept = new Uint8Array(cps.length);
    for (const [, [a, b]] of pre.preTokenizeString(String.fromCodePoint(...cps))) kept.fill(1, a, b);
    cps.forEach((cp, i) => { if (!kept[i]) away.push(cp); });
  }
  return away;
}

// The Whitespace pre-tokenizer's \w (it runs \w+|[^\w\s]+ on Rust's regex
// crate, not on Oniguruma): c is a word character when "a" c " " keeps "ac"
// as one piece.
function wordChars() {
  const file = { version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } };
  const pre = t.Tokenizer.fromString(JSON.stringify(file)).getPreTokenizer();
  const words = [];
  for (let start = 0; start < 0x110000; start += 0x4000) {
    const cps = [];
    for (let cp = start; cp < start + 0x4000; cp++) if (cp < 0xD800 || cp >= 0xE000) cps.push(cp);
    const joined = new Uint8Array(cps.length);
    for (const [, [a, b]] of pre.preTokenizeString(cps.map((cp) => 'a' + ch(cp) + ' ').join(''))) {
      for (let i = Math.ceil(a / 3); 3 * i + 1 < b; i++) if (3 * i >= a) joined[i] = 1;
    }
    cps.forEach((cp, i) => { if (joined[i]) words.push(cp); });
  }
  return words;
}

function setOf(norm, cps, want, sep) {
  const got = each(norm, cps.map(ch), sep);
  return cps.filter((cp, i) => want(got[i], cp));
}

function bert(opts) {
  return normalizer({ type: 'BertNormalizer', clean_text: false, handle_chinese_chars: false,
    strip_accents: false, lowercase: false, ...opts });
}

function main() {
  const nfd = normalizer({ type: 'NFD' }), nfkd = normalizer({ type: 'NFKD' }), nfc = normalizer({ type: 'NFC' });
  const canon = mapOf(nfd, ALL), compat = mapOf(nfkd, ALL);
  for (const cp of ALL) if (hangul(cp) !== (canon.has(cp) && cp >= 0xAC00 && cp <= 0xD7A3)) throw new Error('Hangul');
  const ccc = classes(nfd, canon);
  const comps = composites(nfc, canon);
  const lower = mapOf(normalizer({ type: 'Lowercase' }), ALL);
  const accents = setOf(normalizer({ type: 'StripAccents' }), ALL, (s) => s === '');
  const noX = ALL.concat([0x0A]).filter((cp) => cp !== 0x23).sort((a, b) => a - b); // '#' separates BertNormalizer's batches
  const cleanOut = each(bert({ clean_text: true }), noX.map(ch), '#');
  const removed = noX.filter((cp, i) => cleanOut[i] === '');
  const spaces = noX.filter((cp, i) => cleanOut[i] === ' ' && cp !== 0x20);
  noX.forEach((cp, i) => {
    if (cleanOut[i] !== '' && cleanOut[i] !== ' ' && cleanOut[i] !== ch(cp)) throw new Error(`clean_text U+${cp.toString(16)}`);
  });
  const chinese = setOf(bert({ handle_chinese_chars: true }), noX, (s, cp) => s === ` ${ch(cp)} `, '#');
  const starters = noX.filter((cp) => !canon.has(cp));
  const bertMarks = setOf(bert({ strip_accents: true }), starters, (s) => s === '', '#');
  checkBert(canon, bertMarks, noX, lower);
  const punct = splitAway({ type: 'Punctuation', behavior: 'Removed' });
  const words = wordChars();
  emit({ canon, compat, ccc, comps, lower, accents, removed, spaces, chinese, bertMarks, punct, words });
}

// BertNormalizer's strip_accents is NFD then its mark filter; its lowercase
// is Lowercase's.
function checkBert(canon, bertMarks, noX, lower) {
  const marks = new Set(bertMarks);
  const decomposing = [...canon.keys()];
  const got = each(bert({ strip_accents: true }), decomposing.map(ch), '#');
  decomposing.forEach((cp, i) => {
    const want = String.fromCodePoint(...canon.get(cp).filter((c) => !marks.has(c)));
    if (got[i] !== want) throw new Error(`Bert strip_accents U+${cp.toString(16)}`);
  });
  const low = each(bert({ lowercase: true, strip_accents: false }), noX.map(ch), '#');
  noX.forEach((cp, i) => {
    const want = lower.has(cp) ? String.fromCodePoint(...lower.get(cp)) : ch(cp);
    if (low[i] !== want) throw new Error(`Bert lowercase U+${cp.toString(16)}`);
  });
}

function ranges(cps) {
  const out = [];
  for (const cp of [...cps].sort((a, b) => a - b)) {
    if (out.length && out.at(-1)[1] + 1 === cp) out.at(-1)[1] = cp;
    else out.push([cp, cp]);
  }
  return out;
}

function emit(d) {
  const { version } = require('tokenizers/package.json');
  const hex = (x) => '0x' + x.toString(16).toUpperCase();
  const out = [];
  const pool = [];
  const mapping = (name, m) => {
    const keys = [...m.keys()].sort((a, b) => a - b);
    out.push(`const tokd__un_map tokd__un_${name}[${keys.length}] = {`);
    for (const cp of keys) {
      out.push(`    {${hex(cp)}, ${pool.length}, ${m.get(cp).length}},`);
      pool.push(...m.get(cp));
    }
    out.push('};', `const size_t tokd__un_n_${name} = ${keys.length};`, '');
  };
  const rangeSet = (name, cps) => {
    const r = ranges(cps);
    out.push(`const tokd__un_range tokd__un_${name}[${r.length}] = {`);
    for (let i = 0; i < r.length; i += 4) out.push('    ' + r.slice(i, i + 4).map(([a, b]) => `{${hex(a)}, ${hex(b)}}`).join(', ') + ',');
    out.push('};', `const size_t tokd__un_n_${name} = ${r.length};`, '');
  };
  const canon = new Map([...d.canon].filter(([cp]) => !hangul(cp)));
  const compat = new Map([...d.compat].filter(([cp]) => !hangul(cp)));
  mapping('canonical', canon);
  mapping('compat', compat);
  mapping('lower', d.lower);
  const keys = [...d.ccc.keys()].sort((a, b) => a - b);
  out.push(`const tokd__un_class tokd__un_classes[${keys.length}] = {`);
  for (let i = 0; i < keys.length; i += 6) out.push('    ' + keys.slice(i, i + 6).map((cp) => `{${hex(cp)}, ${d.ccc.get(cp)}}`).join(', ') + ',');
  out.push('};', `const size_t tokd__un_n_classes = ${keys.length};`, '');
  out.push(`const tokd__un_comp tokd__un_comps[${d.comps.length}] = {`);
  for (const [a, b, cp] of d.comps) out.push(`    {(uint64_t)${hex(a)} << 21 | ${hex(b)}, ${hex(cp)}},`);
  out.push('};', `const size_t tokd__un_n_comps = ${d.comps.length};`, '');
  rangeSet('accents', d.accents);
  rangeSet('bert_removed', d.removed);
  rangeSet('bert_spaces', d.spaces);
  rangeSet('bert_chinese', d.chinese);
  rangeSet('bert_marks', d.bertMarks);
  rangeSet('punctuation', d.punct);
  rangeSet('words', d.words);
  const head = [
    '/* norm_tables.c - GENERATED by tests/gen/gen_norm_tables.cjs; do not edit.',
    ' *',
    ` * The reference's normalization data (npm tokenizers ${version}), read back from`,
    ' * its normalizers one code point at a time (see the generator): full',
    ' * canonical and compatibility decompositions, lower case, combining classes',
    ' * (as ranks: only their order matters), primary composites, and the',
    ' * code-point sets of StripAccents and BertNormalizer. Each sorted by key. */',
    '#include "unorm.h"',
    '',
    `const uint32_t tokd__un_pool[${pool.length}] = {`,
  ];
  for (let i = 0; i < pool.length; i += 10) head.push('    ' + pool.slice(i, i + 10).map(hex).join(', ') + ',');
  head.push('};', '');
  process.stdout.write(head.concat(out).join('\n'));
}

main();
