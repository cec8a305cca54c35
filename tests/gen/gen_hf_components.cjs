// Writes tests/data/hf_components.json: ids and offsets that Hugging Face
// tokenizers (npm tokenizers 0.23.2) gives with each normalizer and
// pre-tokenizer option tokd implements, alone and in the combinations real
// models use (BERT, RoBERTa, Xenova's Split-invert conversions of tiktoken
// encodings, claude's NFKC, qwen3's NFC + Split, gemma3's String Split,
// deepseek's Split sequence).
//
// Each variant is one of the shipped tokenizer.json files (data/encodings:
// mistral, a character BPE with byte fallback; llama3, a byte-level BPE)
// with its normalizer and pre_tokenizer replaced, so the reference's own
// code builds and runs every file. Offsets are the binding's, in code
// points of the input ([start, end) per token).
//
// Usage: cd tests/gen && npm ci && node gen_hf_components.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT } = require('./common.cjs');

const MISTRAL = [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }];
const BL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
const CL100K = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const BEHAVIORS = ['Isolated', 'Removed', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

const seq = (normalizers) => ({ type: 'Sequence', normalizers });
const pres = (pretokenizers) => ({ type: 'Sequence', pretokenizers });
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });
const bert = (o) => ({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null,
  lowercase: true, ...o });

function variants() {
  const v = {};
  const norm = (name, normalizer) => { v[`norm_${name}`] = { base: 'mistral', set: { normalizer } }; };
  const pre = (name, pre_tokenizer, normalizer = null) => {
    v[`pre_${name}`] = { base: 'mistral', set: { normalizer, pre_tokenizer } };
  };
  const bl = (name, pre_tokenizer, normalizer = null) => { v[`bl_${name}`] = { base: 'llama3', set: { normalizer, pre_tokenizer } }; };
  for (const f of ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase']) norm(f.toLowerCase(), seq([{ type: f }, ...MISTRAL]));
  norm('strip_accents', seq([{ type: 'NFD' }, { type: 'StripAccents' }, ...MISTRAL]));
  norm('strip_accents_alone', seq([{ type: 'StripAccents' }, ...MISTRAL]));
  norm('strip_both', seq([{ type: 'Strip', strip_left: true, strip_right: true }, ...MISTRAL]));
  norm('strip_left', seq([{ type: 'Strip', strip_left: true, strip_right: false }, ...MISTRAL]));
  norm('strip_right', seq([{ type: 'Strip', strip_left: false, strip_right: true }, ...MISTRAL]));
  norm('replace_regex_spaces', seq([{ type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, ...MISTRAL]));
  norm('replace_regex_digits', seq([{ type: 'Replace', pattern: { Regex: '\\p{N}+' }, content: '#' }, ...MISTRAL]));
  norm('replace_regex_delete', seq([{ type: 'Replace', pattern: { Regex: '[\\p{P}]' }, content: '' }, ...MISTRAL]));
  norm('replace_string_longer', seq([{ type: 'Replace', pattern: { String: 'é' }, content: 'e\u0301!' }, ...MISTRAL]));
  norm('bert_default', seq([bert({}), ...MISTRAL]));
  norm('bert_cased', seq([bert({ lowercase: false }), ...MISTRAL]));
  norm('bert_strip_only', seq([bert({ clean_text: false, handle_chinese_chars: false, strip_accents: true,
    lowercase: false }), ...MISTRAL]));
  norm('bert_lower_keep_accents', seq([bert({ strip_accents: false }), ...MISTRAL]));
  norm('bytelevel', seq([{ type: 'ByteLevel' }, MISTRAL[0]]));
  norm('mix', seq([{ type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' },
    { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
    ...MISTRAL]));
  pre('whitespace', { type: 'Whitespace' });
  pre('whitespace_split', { type: 'WhitespaceSplit' });
  pre('bert', { type: 'BertPreTokenizer' });
  for (const b of BEHAVIORS) pre(`punctuation_${b}`, { type: 'Punctuation', behavior: b });
  pre('char_delimiter', { type: 'CharDelimiterSplit', delimiter: 'a' });
  pre('fixed_length_3', { type: 'FixedLength', length: 3 });
  pre('digits_individual', { type: 'Digits', individual_digits: true });
  pre('unicode_scripts', { type: 'UnicodeScripts' });
  pre('unicode_scripts_seq', pres([{ type: 'WhitespaceSplit' }, { type: 'UnicodeScripts' }, { type: 'Digits', individual_digits: false }]));
  pre('unicode_scripts_nfkc', { type: 'UnicodeScripts' }, { type: 'NFKC' });
  // regexes that can match the empty string: their empty matches take part
  for (const b of BEHAVIORS)
    for (const invert of [false, true])
      for (const [name, re] of [['star', 'a*'], ['spaces', '\\s*'], ['lookahead', '(?=b)'], ['boundary', '\\b']])
        pre(`split_empty_${name}_${b}${invert ? '_invert' : ''}`, split({ Regex: re }, b, invert));
  pre('split_scripts', split({ Regex: '\\p{Han}+|\\p{Hiragana}+|\\p{Katakana}+|\\p{Hangul}+|\\p{Latin}+|'
    + '\\p{Greek}+|\\p{Cyrillic}+|\\p{Arabic}+|\\p{Hebrew}+|\\p{Thai}+|\\p{Devanagari}+' }, 'Isolated'));
  pre('split_caseless', split({ Regex: '(?i:[\\p{Lu}]+)|(?i)\\p{Lu}+|[\\p{Alphabetic}\\d]+|\\p{Emoji}' }, 'Isolated'));
  for (const scheme of ['always', 'first', 'never'])
    for (const s of [true, false])
      pre(`metaspace_${scheme}_${s ? 'split' : 'nosplit'}`, { type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split: s });
  for (const b of BEHAVIORS) {
    pre(`split_string_${b}`, split({ String: ' ' }, b));
    pre(`split_string_invert_${b}`, split({ String: 'o' }, b, true));
    pre(`split_regex_invert_${b}`, split({ Regex: '\\p{L}+' }, b, true));
  }
  pre('sequence', pres([{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: false },
    { type: 'Punctuation', behavior: 'Isolated' }, { type: 'FixedLength', length: 4 }]));
  pre('bert_combo', { type: 'BertPreTokenizer' }, bert({}));
  pre('gemma3', split({ String: ' ' }, 'MergedWithPrevious'), { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' });
  pre('t5_like', { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    seq([{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }]));
  for (const b of BEHAVIORS) bl(`split_invert_${b}`, pres([split({ Regex: CL100K }, b, true), BL]));
  bl('xenova_cl100k', pres([split({ Regex: CL100K }, 'Removed', true), BL]));
  bl('qwen3', pres([split({ Regex: QWEN }, 'Isolated'), { ...BL, trim_offsets: false }]), { type: 'NFC' });
  bl('claude', { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true }, { type: 'NFKC' });
  bl('roberta', { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true });
  bl('prefix_no_regex', { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: false });
  bl('deepseek', pres([split({ Regex: '\\p{N}{1,3}' }, 'Isolated'), split({ Regex: '[一-龥぀-ゟ゠-ヿ]+' }, 'Isolated'),
    split({ Regex: "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+" }, 'Isolated'),
    BL]));
  bl('whitespace_then_bytes', pres([{ type: 'Whitespace' }, BL]));
  bl('anchors', pres([split({ Regex: '\\s+$|^\\s+|\\h+|\\u0041' }, 'Isolated'), BL]));
  return v;
}

const TEXTS = [
  'Hello world', ' leading space', 'two  spaces and\ttab', 'x', '', '12345 apples, 3.14 pies and 2026',
  '日本語のテキスト 123', 'emoji 😀👍🏽 done', '  ', 'a\nb\n\nc', 'CamelCaseWords and snake_case_words',
  '¡Hola, señor! ¿Qué tal?', 'a, b; c!! d... (e)  f', ',leading and trailing,', 'é café résumé',
  'Ǻ Å ḍ̇ ḍ̇ q̣̇', '각 가 각 한국어 \u1100\u1161\u11a8', 'क़ क़ Ω Å Å', 'เกื่อน שּׁ', 'ẛ̣ ͳ ̀́ ̈́ ཱི 豈 ⾀0',
  'İstanbul ǅ ß ΣΑΣ ΌΣΟΣ', 'ﬁ ﬀ ① ㍿ ｶﾞ ™ ½', 'e\u0301 a\u0316\u0301 \u1e9b\u0323 \u00e9\u0316',
  '\u0000a\u200bb\u00adc\ufeffd\u0007e\ufffdf', '中文字 漢字 𠀀 \u3400', 'tab\tand\u00a0nbsp\u3000ideo\u2003em',
  '   padded   ', 'Mixed CASE Ünïcödé', '\u180e\u2028\u2029x\u0085y', "it's don't I'M We'LL",
  '\u0130\u0049\u0307 \u212a', 'Hello\r\nWorld\r\n', 'line one\n  indented\n\n\n', '\u{10D44}.a \u{16137}\n \n',
  '\u1AC8\u0E4A \u{11935}\u{11930} a\u1ABF\u0301', 'ABCDEF 0x1F fade', 'ooh boo, foo', 'aaa banana',
  'どこで生れ。Yes', 'Apples are りんご 林檎', 'Привет мир Γειά σου עברית ไทย हिन्दी مرحبا', ' ab  ba b ',
  'ſ K k İ ı ẞ ß Ǆ ǅ ǆ', 'baab c\n\nb ébé 日本a',
];

async function main() {
  const v = variants();
  const out = { generator: 'tests/gen/gen_hf_components.cjs', reference: 'tokenizers 0.23.2 (npm, Hugging Face)',
    unit: 'code points', texts: TEXTS, variants: {} };
  for (const [name, spec] of Object.entries(v)) {
    const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/encodings', spec.base, 'tokenizer.json'), 'utf8'));
    Object.assign(json, spec.set);
    const tok = Tokenizer.fromString(JSON.stringify(json));
    const results = [];
    for (const text of TEXTS) {
      const e = await tok.encode(text, null, { addSpecialTokens: false });
      results.push([Array.from(e.getIds()), e.getOffsets().flat()]);
    }
    out.variants[name] = { ...spec, results };
  }
  fs.writeFileSync(path.join(ROOT, 'tests/data/hf_components.json'),
    JSON.stringify(out).replace(/"(norm|pre|bl)_/g, '\n"$1_') + '\n');
  process.stderr.write(`${Object.keys(v).length} variants, ${TEXTS.length} texts\n`);
}

main();
