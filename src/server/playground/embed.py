#!/usr/bin/env python3
"""embed.py IN OUT - write the playground page as a C byte array (build step).

The page is served by GET / from the binary itself, so tokd needs no files
and no network to show it.
"""
import sys

data = open(sys.argv[1], 'rb').read()
with open(sys.argv[2], 'w') as out:
    out.write('/* Generated from %s by embed.py; do not edit. */\n' % sys.argv[1].split('/')[-1])
    out.write('#include <stddef.h>\n\n')
    out.write('const unsigned char tokd_playground_html[] = {\n')
    for i in range(0, len(data), 16):
        out.write('    ' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',\n')
    out.write('};\n')
    out.write('const size_t tokd_playground_html_len = %d;\n' % len(data))
