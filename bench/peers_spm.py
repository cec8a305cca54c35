#!/usr/bin/python3
# Single-thread encode throughput of sentencepiece's Python binding
# (Debian's python3-sentencepiece, C++ inside) on the same files tokd bench
# reads, for a .model. Same method as tokd bench: repeat until 0.5 s and 3
# runs, best run, MB = 10^6 bytes; one text per call (EncodeAsIds).
#
# Usage: /usr/bin/python3 bench/peers_spm.py MODEL FILE...
import sys
import time

import sentencepiece as spm


def best(fn):
    start, low, out, runs = time.perf_counter(), float('inf'), None, 0
    while runs < 3 or time.perf_counter() - start < 0.5:
        t0 = time.perf_counter()
        out = fn()
        low = min(low, time.perf_counter() - t0)
        runs += 1
    return low, out


def main():
    sp = spm.SentencePieceProcessor(model_file=sys.argv[1], num_threads=1)
    print('\t'.join(['file', 'bytes', 'sentencepiece_MB/s', 'tokens']))
    for f in sys.argv[2:]:
        with open(f, encoding='utf-8', errors='replace', newline='') as src:
            text = src.read()
        n = len(text.encode())
        seconds, ids = best(lambda: sp.encode(text))
        print('\t'.join([f, str(n), '%.2f' % (n / 1e6 / seconds), str(len(ids))]))


main()
