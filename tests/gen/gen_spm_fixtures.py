#!/usr/bin/python3
# Writes tests/data/spm/: small sentencepiece models trained by Debian's
# spm_train on the repo's corpus (tests/data/corpus/*.txt), the ids and
# decoded text Debian's python3-sentencepiece (0.1.97) gives for every
# conformance case with each of them (spm_fixtures.json), and tokenizer.json
# conversions of two of them (as Hugging Face's converters build T5/XLM-R
# files: Precompiled + Metaspace + Unigram) for gen_unigram_fixtures.cjs.
#
# Usage: /usr/bin/python3 tests/gen/gen_spm_fixtures.py   (then
#        cd tests/gen && npm ci && node gen_unigram_fixtures.cjs)
# Needs the Debian packages sentencepiece and python3-sentencepiece.
import base64
import glob
import hashlib
import json
import os
import subprocess
import sys
import struct
import tempfile

import sentencepiece as spm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'tests', 'data', 'spm')
COMMON = ['--num_threads=1', '--hard_vocab_limit=false', '--random_seed=7', '--minloglevel=2']
SHORT = 64  # texts up to this many bytes keep their ids in full
MODELS = {
    # the seed's Llama 2 options
    'llama_bpe': ['--model_type=bpe', '--vocab_size=1800', '--byte_fallback=true', '--split_digits=true',
                  '--add_dummy_prefix=true', '--character_coverage=0.99995', '--normalization_rule_name=identity',
                  '--remove_extra_whitespaces=false', '--max_sentencepiece_length=16',
                  '--allow_whitespace_only_pieces=true', '--split_by_unicode_script=true', '--split_by_number=true',
                  '--unk_id=0', '--bos_id=1', '--eos_id=2', '--pad_id=-1'],
    'unigram_nmt': ['--model_type=unigram', '--vocab_size=1800'],
    'unigram_user': ['--model_type=unigram', '--vocab_size=1600', '--normalization_rule_name=identity',
                     '--user_defined_symbols=<sep>,<cls>,@@,\u2603,ab'],
    'tiny_fallback': ['--model_type=unigram', '--vocab_size=900', '--byte_fallback=true',
                      '--character_coverage=0.98', '--normalization_rule_name=nfkc'],
    'tiny_unk': ['--model_type=bpe', '--vocab_size=800', '--character_coverage=0.98',
                 '--treat_whitespace_as_suffix=true', '--pad_id=3'],
}
EXTRA = ['S\u00e1bado y domingo', 'banco de madera, banco donde hay dinero', '  two  spaces  ', ' ', '   ',
         '\t\ttabs\t', 'trailing   ', '   leading', 'a\n\nb', 'line\r\nbreak', 'e\u0301 combining a\u0300\u0301',
         '\uff21\u0301 fullwidth', '\ufb01 ligature \u2460', '<s> <unk> </s> <sep> <cls>', 'x<sep>y@@z\u2603ab',
         'ab ab abab', '\U0001F600\U0001F44D\U0001F3FD \U0001F468\u200d\U0001F469\u200d\U0001F467',
         '\u0000\u0001\u001f\u007f controls', '\ufffd replaced \ufffd', 'numbers 1234567890 3.14',
         '\u0939\u093f\u0928\u094d\u0926\u0940 \u0915\u094d\u0937', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8',
         '\u200b\u200c\u200d zero widths', '\u00a0nbsp\u3000ideographic space', 'caf\u00e9 CAF\u00c9',
         'a' * 300, '\u2581 already a meta space \u2581\u2581']


def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]


def compact(text, ids, decoded):
    """A case's answer: the count and a hash of the ids (little-endian u32s),
    the ids themselves for short texts, and the decoded text (or its hash)
    where it differs from the text."""
    out = {'n': len(ids), 'h': digest(struct.pack('<%dI' % len(ids), *ids))}
    short = len(text.encode()) <= SHORT
    if short:
        out['ids'] = ids
    if decoded != text:
        out['dec' if short else 'dh'] = decoded if short else digest(decoded.encode())
    return out


def texts():
    with open(os.path.join(ROOT, 'tests/data/tiktoken_fixtures.json'), encoding='utf-8') as f:
        cases = json.load(f)['cases']
    seen, out = set(), []
    for c in cases:
        t = c['replaced'] if c.get('replaced') is not None else c['text']
        if t not in seen:
            seen.add(t)
            out.append({'name': c['name'], 'text': t, 'shared': True})
    for t in EXTRA:
        if t not in seen:
            seen.add(t)
            out.append({'name': 'extra ' + json.dumps(t)[:40], 'text': t})
    return out


def train(name, opts, work):
    """Train in `work` with relative names (the model records them), into OUT."""
    subprocess.run(['spm_train', '--input=corpus.txt', '--model_prefix=' + name] + COMMON + opts, check=True, cwd=work)
    os.unlink(os.path.join(work, name + '.vocab'))
    os.replace(os.path.join(work, name + '.model'), os.path.join(OUT, name + '.model'))
    return os.path.join(OUT, name + '.model')


def field(buf, want):
    """The bytes of the first length-delimited field `want` of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        kind, num = key & 7, key >> 3
        if kind == 2:
            n, i = varint(buf, i)
            if num == want:
                return buf[i:i + n]
            i += n
        elif kind == 0:
            _, i = varint(buf, i)
        elif kind == 5:
            i += 4
        elif kind == 1:
            i += 8
        else:
            raise ValueError('unexpected wire type')
    return b''


def varint(buf, i):
    v = s = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return v, i


def to_tokenizer_json(model_file, byte_fallback):
    sp = spm.SentencePieceProcessor(model_file=model_file)
    with open(model_file, 'rb') as f:
        charsmap = field(field(f.read(), 3), 2)
    vocab = [[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]
    special = [i for i in range(sp.get_piece_size()) if sp.is_control(i) or sp.is_unknown(i)]
    meta = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True}
    return {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [{'id': i, 'content': sp.id_to_piece(i), 'single_word': False, 'lstrip': False,
                          'rstrip': False, 'normalized': False, 'special': True} for i in special],
        'normalizer': {'type': 'Precompiled', 'precompiled_charsmap': base64.b64encode(charsmap).decode()}
        if charsmap else None,
        'pre_tokenizer': meta, 'post_processor': None, 'decoder': meta,
        'model': {'type': 'Unigram', 'unk_id': sp.unk_id(), 'vocab': vocab, 'byte_fallback': byte_fallback},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp()
    with open(os.path.join(work, 'corpus.txt'), 'w', encoding='utf-8') as f:
        for p in sorted(glob.glob(os.path.join(ROOT, 'tests/data/corpus/*.txt'))):
            with open(p, encoding='utf-8') as src:
                f.write(src.read())
    cases = texts()
    fixtures = {'generator': 'tests/gen/gen_spm_fixtures.py', 'reference': 'python3-sentencepiece ' + spm.__version__,
                'models': list(MODELS), 'cases': cases}
    for name, opts in MODELS.items():
        sp = spm.SentencePieceProcessor(model_file=train(name, opts, work))
        for c in cases:
            ids = sp.encode(c['text'])
            c.setdefault('ids', {})[name] = compact(c['text'], ids, sp.decode(ids))
        sys.stderr.write(f'{name}: {sp.get_piece_size()} pieces\n')
    os.unlink(os.path.join(work, 'corpus.txt'))
    os.rmdir(work)
    for c in cases:  # a case of tiktoken_fixtures.json is found there by name
        if c.pop('shared', False):
            del c['text']
    with open(os.path.join(OUT, 'spm_fixtures.json'), 'w', encoding='utf-8') as f:
        f.write(json.dumps(fixtures, ensure_ascii=False).replace('{"name"', '\n{"name"') + '\n')
    for name, model, fallback in [('t5_style', 'unigram_nmt', False), ('fallback_style', 'tiny_fallback', True)]:
        with open(os.path.join(OUT, name + '.json'), 'w', encoding='utf-8') as f:
            json.dump(to_tokenizer_json(os.path.join(OUT, model + '.model'), fallback), f, ensure_ascii=False)


main()
