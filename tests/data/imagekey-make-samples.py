#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the small PNGs of tests/plugin/test-image-hasher.c: one picture of
at most 64 colours stored as 8-bit RGB (the reference), 16-bit RGB, palette,
16-bit grayscale, and grayscale with alpha (with the RGB image it must hash
like: its colours composited over black). Run from anywhere; writes beside
itself. Standard library only."""

import os
import struct
import zlib

WIDTH, HEIGHT = 64, 48
HERE = os.path.dirname(os.path.abspath(__file__))


def chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))


def write_png(name, colour_type, bit_depth, rows, palette=None):
    raw = b''.join(b'\x00' + row for row in rows)
    png = b'\x89PNG\r\n\x1a\n'
    png += chunk(b'IHDR', struct.pack('>IIBBBBB', WIDTH, HEIGHT, bit_depth, colour_type, 0, 0, 0))
    if palette is not None:
        png += chunk(b'PLTE', b''.join(bytes(c) for c in palette))
    png += chunk(b'IDAT', zlib.compress(raw, 9))
    png += chunk(b'IEND', b'')
    with open(os.path.join(HERE, name), 'wb') as out:
        out.write(png)


def level(v):
    """One of 4 levels, so the picture has at most 64 colours."""
    return min(3, max(0, int(v * 4))) * 85


def picture():
    pixels = []
    for y in range(HEIGHT):
        row = []
        for x in range(WIDTH):
            u, v = x / WIDTH, y / HEIGHT
            inside = (u - 0.6) ** 2 + (v - 0.4) ** 2 < 0.06
            r = level(0.9 - u) if not inside else 255
            g = level(v) if not inside else level(0.3)
            b = level((u + v) / 2) if not inside else 0
            row.append((r, g, b))
        pixels.append(row)
    return pixels


def main():
    pixels = picture()
    colours = sorted({p for row in pixels for p in row})
    index = {c: i for i, c in enumerate(colours)}
    gray = [[(77 * r + 150 * g + 29 * b + 128) >> 8 for (r, g, b) in row] for row in pixels]
    alpha = [[(x * 4 + y * 3) % 256 for x in range(WIDTH)] for y in range(HEIGHT)]

    write_png('imagekey-rgb8.png', 2, 8, [bytes(c for p in row for c in p) for row in pixels])
    write_png('imagekey-rgb16.png', 2, 16,
              [b''.join(struct.pack('>H', c * 257) for p in row for c in p) for row in pixels])
    write_png('imagekey-palette.png', 3, 8, [bytes(index[p] for p in row) for row in pixels], colours)
    write_png('imagekey-gray8.png', 2, 8, [bytes(v for v in row for _ in range(3)) for row in gray])
    write_png('imagekey-gray16.png', 0, 16,
              [b''.join(struct.pack('>H', v * 257) for v in row) for row in gray])
    write_png('imagekey-gray-alpha.png', 4, 8,
              [bytes(c for v, a in zip(row, arow) for c in (v, a)) for row, arow in zip(gray, alpha)])
    write_png('imagekey-gray-alpha-over-black.png', 2, 8,
              [bytes((v * a + 127) // 255 for v, a in zip(row, arow) for _ in range(3))
               for row, arow in zip(gray, alpha)])


if __name__ == '__main__':
    main()
