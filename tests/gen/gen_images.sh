#!/bin/sh
# gen_images.sh - the image fixtures of tests/data/images, made with
# Debian's ImageMagick (apt-get install imagemagick): real PNG, JPEG, GIF and
# WebP files whose names give their format and size (NAME_WxH.EXT). Tiny
# ones exercise each header layout (tests/unit/test_imagesize.c); larger
# ones are the vision guide's worked examples (tests/gen/gen_chat_fixtures.cjs).
# Solid colours keep every file small. Usage: sh tests/gen/gen_images.sh
set -eu
out=$(cd "$(dirname "$0")/../data" && pwd)/images
convert=/usr/bin/convert
mkdir -p "$out"
cd "$out"
$convert -size 3x2 xc:red -strip png_3x2.png
$convert -size 3x2 xc:red -strip gif_3x2.gif
$convert -size 3x2 xc:red -strip jpeg_3x2.jpg
$convert -size 3x2 xc:red -strip -interlace Plane jpeg-progressive_3x2.jpg
$convert -size 3x2 xc:red -strip -set comment "a comment segment before the frame" jpeg-comment_3x2.jpg
$convert -size 3x2 xc:red -strip webp-lossy_3x2.webp
$convert -size 3x2 xc:red -strip -define webp:lossless=true webp-lossless_3x2.webp
$convert -size 3x2 xc:'rgba(255,0,0,0.5)' -strip -define webp:lossless=false webp-alpha_3x2.webp
$convert -size 1024x1024 xc:gray -strip png_1024x1024.png
$convert -size 2048x4096 xc:gray -strip -quality 5 jpeg_2048x4096.jpg
$convert -size 1800x2400 xc:gray -strip webp_1800x2400.webp
$convert -size 512x512 xc:gray -strip gif_512x512.gif
ls -l "$out"
