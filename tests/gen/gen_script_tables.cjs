// Derives two script tables of Hugging Face tokenizers from the reference
// itself (npm tokenizers 0.23.2), one code point at a time:
//
// 1. The UnicodeScripts pre-tokenizer's classes (src/core/script_tables.c).
//    The reference cuts where fixed_script(c) changes: its own script table
//    (sentencepiece's, of Unicode 9 scripts; unassigned code points are
//    "Any"), Hiragana, Katakana and U+30FC counted as Han, ' ' as Any, and
//    Any never cutting nor changing the running script. Read back: c is Any
//    when the text "c" alone gives no piece; the other code points, in
//    order, are cut into runs of one script; a run joins the class of a
//    representative r when "r c" is one piece. Only the classes matter to
//    the algorithm, so they are numbered (1..), 0 being Any.
//
// 2. The Unicode properties of its regex engine (Oniguruma) that are not
//    general categories (src/core/rxclass_props.c): every script (long and
//    short name) and the binary and POSIX properties listed below, as
//    sorted code-point ranges. Read back as gen_rxclass_tables.cjs reads the
//    categories: a Split `\p{Name}`, Removed and inverted, keeps exactly the
//    members. A name the engine rejects is left out; names are stored as
//    Oniguruma compares them (lower case, no ' ', '_', '-'). With them, the
//    engine's case-fold orbits (the code points (?i) makes equal), for the
//    classes in a bracket under (?i): over the candidates (letters with
//    case, letter numbers, symbols and marks, the only ones with case
//    mappings), the orbit of c is what `(?i)c` matches among them.
//
// Script names: common.cjs's scriptNames.
//
// Usage (in tests/gen, after npm ci): node gen_script_tables.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { ROOT, twoStageTable, scriptNames } = require('./common.cjs');

const BINARY = ['ASCII_Hex_Digit', 'AHex', 'Alphabetic', 'Alpha', 'Bidi_Control', 'Bidi_C', 'Bidi_Mirrored',
  'Bidi_M', 'Case_Ignorable', 'CI', 'Cased', 'Changes_When_Casefolded', 'CWCF', 'Changes_When_Casemapped', 'CWCM',
  'Changes_When_Lowercased', 'CWL', 'Changes_When_Titlecased', 'CWT', 'Changes_When_Uppercased', 'CWU', 'Dash',
  'Default_Ignorable_Code_Point', 'DI', 'Deprecated', 'Dep', 'Diacritic', 'Dia', 'Emoji', 'Emoji_Component',
  'EComp', 'Emoji_Modifier', 'EMod', 'Emoji_Modifier_Base', 'EBase', 'Emoji_Presentation', 'EPres',
  'Extended_Pictographic', 'ExtPict', 'Extender', 'Ext', 'Grapheme_Base', 'Gr_Base', 'Grapheme_Extend', 'Gr_Ext',
  'Hex_Digit', 'Hex', 'IDS_Binary_Operator', 'IDSB', 'IDS_Trinary_Operator', 'IDST', 'ID_Continue', 'IDC',
  'ID_Start', 'IDS', 'Ideographic', 'Ideo', 'Join_Control', 'Join_C', 'Logical_Order_Exception', 'LOE',
  'Lowercase', 'Math', 'Noncharacter_Code_Point', 'NChar', 'Pattern_Syntax', 'Pat_Syn', 'Pattern_White_Space',
  'Pat_WS', 'Prepended_Concatenation_Mark', 'PCM', 'Quotation_Mark', 'QMark', 'Radical', 'Regional_Indicator', 'RI',
  'Sentence_Terminal', 'STerm', 'Soft_Dotted', 'SD', 'Terminal_Punctuation', 'Term', 'Unified_Ideograph', 'UIdeo',
  'Uppercase', 'Variation_Selector', 'VS', 'White_Space', 'WSpace', 'XID_Continue', 'XIDC', 'XID_Start', 'XIDS',
  'Alnum', 'ASCII', 'Blank', 'Cntrl', 'Digit', 'Graph', 'Lower', 'Print', 'Punct', 'Space', 'Upper', 'XDigit',
  'Word'];
// Names gen_rxclass_tables.cjs / rxclass.c already give (general categories).
const CATEGORY_NAMES = new Set(['l', 'm', 'n', 'p', 's', 'z', 'c', 'any', 'other', 'symbol', 'letter', 'mark',
  'number', 'punctuation', 'separator', 'control', 'format', 'surrogate', 'privateuse', 'unassigned']);

const tokenizer = (pre) => Tokenizer.fromString(JSON.stringify({ version: '1.0', truncation: null, padding: null,
  added_tokens: [], normalizer: null, pre_tokenizer: pre, post_processor: null, decoder: null,
  model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } })).getPreTokenizer();
const ch = (cp) => String.fromCodePoint(cp);
const surrogate = (cp) => cp >= 0xD800 && cp < 0xE000;

// ---- 1. UnicodeScripts ------------------------------------------------------

function scriptClasses() {
  const us = tokenizer({ type: 'UnicodeScripts' });
  const cls = new Uint8Array(0x110000);
  const others = [];
  for (let cp = 0; cp < 0x110000; cp++)
    if (!surrogate(cp) && us.preTokenizeString(ch(cp)).length > 0) others.push(cp);
  const reps = [];
  const classOf = (cp) => {
    let s = '';
    for (const r of reps) s += ch(r) + ch(cp);
    const starts = new Set(us.preTokenizeString(s).map((p) => p[1][0]));
    for (let k = 0; k < reps.length; k++) if (!starts.has(2 * k + 1)) return k + 1;
    reps.push(cp);
    if (reps.length > 255) throw new Error('more than 255 script classes');
    return reps.length;
  };
  for (let i = 0; i < others.length; i += 4096) {
    const chunk = others.slice(i, i + 4096);
    const starts = new Set(us.preTokenizeString(chunk.map(ch).join('')).map((p) => p[1][0]));
    let c = 0;
    chunk.forEach((cp, k) => { if (k === 0 || starts.has(k)) c = classOf(cp); cls[cp] = c; });
  }
  return { cls, n: reps.length };
}

function emitScripts() {
  const { cls, n } = scriptClasses();
  const { version } = require('tokenizers/package.json');
  const out = ['/* script_tables.c - GENERATED by tests/gen/gen_script_tables.cjs; do not edit.', ' *',
    ` * The script classes of Hugging Face tokenizers' UnicodeScripts pre-tokenizer`,
    ` * (npm tokenizers ${version}), read back from it: per code point its fixed script`,
    ` * as a class number (${n} classes; 0 is "Any": ' ' and unassigned code points).`,
    ' * Two-stage table: stage1[cp >> 8] picks a block. */', '#include "script.h"', ''];
  out.push(...twoStageTable(cls, 'tokd__script'));
  fs.writeFileSync(path.join(ROOT, 'src/core/script_tables.c'), out.join('\n') + '\n');
  process.stderr.write(`UnicodeScripts: ${n} classes\n`);
}

// ---- 2. Oniguruma properties ------------------------------------------------

function members(pattern) {
  let pre;
  try {
    pre = tokenizer({ type: 'Split', pattern: { Regex: pattern }, behavior: 'Removed', invert: true });
  } catch (e) {
    return null;
  }
  const out = [];
  for (let start = 0; start < 0x110000; start += 0x8000) {
    const cps = [];
    let s = '';
    for (let cp = start; cp < start + 0x8000; cp++) if (!surrogate(cp)) { cps.push(cp); s += ch(cp); }
    for (const [, [a, b]] of pre.preTokenizeString(s)) for (let i = a; i < b; i++) out.push(cps[i]);
  }
  return out;
}

function ranges(cps) {
  const r = [];
  for (const cp of cps) {
    if (r.length && r[r.length - 1][1] + 1 === cp) r[r.length - 1][1] = cp;
    else r.push([cp, cp]);
  }
  return r;
}

const normName = (s) => s.toLowerCase().replace(/[ _-]/g, '');

const propertyNames = () => scriptNames().flat().concat(BINARY);

function orbitPairs() {
  const cands = [];
  for (const c of ['Lu', 'Ll', 'Lt', 'Nl', 'So', 'Mn']) cands.push(...members(`\\p{${c}}`));
  cands.sort((a, b) => a - b);
  const text = cands.map(ch).join('');
  const pairs = [];
  const seen = new Set();
  for (const c of cands) {
    if (seen.has(c)) continue;
    const hex = c.toString(16);
    const pre = tokenizer({ type: 'Split', pattern: { Regex: `(?i)\\x{${hex}}` }, behavior: 'Removed', invert: true });
    const orbit = pre.preTokenizeString(text).map(([, [a]]) => cands[a]);
    if (!orbit.includes(c)) throw new Error(`(?i)U+${hex} does not match itself`);
    orbit.forEach((x) => seen.add(x));
    for (const x of orbit) for (const y of orbit) if (x !== y) pairs.push([x, y]);
  }
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function emitProperties() {
  const sets = new Map(); // ranges as text -> index
  const entries = [];
  const pool = [];
  for (const name of [...new Set(propertyNames())]) {
    const key = normName(name);
    if (CATEGORY_NAMES.has(key) || entries.some((e) => e.key === key)) continue;
    const cps = members(`\\p{${name}}`);
    if (!cps) { process.stderr.write(`not in the reference: ${name}\n`); continue; }
    const r = ranges(cps);
    const text = JSON.stringify(r);
    if (!sets.has(text)) { sets.set(text, { first: pool.length, count: r.length }); pool.push(...r); }
    entries.push({ key, ...sets.get(text) });
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : 1));
  const { version } = require('tokenizers/package.json');
  const out = ['/* rxclass_props.c - GENERATED by tests/gen/gen_script_tables.cjs; do not edit.', ' *',
    ` * The Unicode properties other than general categories that Hugging Face`,
    ` * tokenizers' regex engine (npm tokenizers ${version}, Oniguruma) knows: scripts and`,
    ' * binary / POSIX properties, read back from the engine as code-point ranges,',
    ' * and its case-fold orbits. Names as Oniguruma compares them, sorted (rxclass.h). */', '#include "rxclass.h"', '',
    `const tokd__un_range tokd__rx_prop_ranges[${pool.length}] = {`];
  for (let i = 0; i < pool.length; i += 4)
    out.push('    ' + pool.slice(i, i + 4).map(([a, b]) => `{0x${a.toString(16)}, 0x${b.toString(16)}}`).join(', ') + ',');
  out.push('};', '', `const tokd__rx_prop tokd__rx_props[${entries.length}] = {`);
  for (const e of entries) out.push(`    {"${e.key}", ${e.first}, ${e.count}},`);
  out.push('};', '', `const size_t tokd__rx_n_props = ${entries.length};`, '');
  const pairs = orbitPairs();
  out.push('/* Case-fold orbits as pairs (code point, another of its orbit), sorted. */',
    `const tokd__rx_fold tokd__rx_folds[${pairs.length}] = {`);
  for (let i = 0; i < pairs.length; i += 4)
    out.push('    ' + pairs.slice(i, i + 4).map(([a, b]) => `{0x${a.toString(16)}, 0x${b.toString(16)}}`).join(', ') + ',');
  out.push('};', '', `const size_t tokd__rx_n_folds = ${pairs.length};`);
  fs.writeFileSync(path.join(ROOT, 'src/core/rxclass_props.c'), out.join('\n') + '\n');
  process.stderr.write(`properties: ${entries.length} names, ${pool.length} ranges\n`);
}

emitScripts();
emitProperties();
