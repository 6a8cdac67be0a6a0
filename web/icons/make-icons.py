#!/usr/bin/env python3
"""Draw the directory's own icon, with no image library: a white speech
bubble (someone to talk to) on the AMO red of the map and the cards.

Writes, beside this script's parent (web/): favicon.ico (16 and 32 px),
icon-192.png, icon-512.png (the manifest's) and icon-maskable-512.png (the
same drawing inside the safe circle Android masks to). favicon.svg is the
same drawing by hand. Run again only to change the drawing:

    python3 web/icons/make-icons.py
"""
import os
import struct
import zlib

RED = (0xB3, 0x26, 0x1E)
WHITE = (0xFF, 0xFF, 0xFF)


def in_round_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_triangle(x, y, a, b, c):
    def side(p, q):
        return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])
    s1, s2, s3 = side(a, b), side(b, c), side(c, a)
    return (s1 >= 0 and s2 >= 0 and s3 >= 0) or (s1 <= 0 and s2 <= 0 and s3 <= 0)


def colour(x, y, maskable):
    """The drawing on a 64 x 64 canvas (favicon.svg's viewBox)."""
    if maskable:  # full bleed; the bubble inside the central 80% circle
        x, y = 32 + (x - 32) / 0.8, 32 + (y - 32) / 0.8
        back = True
    else:
        back = in_round_rect(x, y, 0, 0, 64, 64, 14)
    if not back:
        return None
    bubble = in_round_rect(x, y, 14, 12, 50, 42, 6) or \
        in_triangle(x, y, (20, 40), (32, 40), (20, 52))
    return WHITE if bubble else RED


def render(size, maskable=False, ss=4):
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    x = (px + (sx + 0.5) / ss) * 64 / size
                    y = (py + (sy + 0.5) / ss) * 64 / size
                    c = colour(x, y, maskable)
                    if c:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            n = ss * ss
            a = acc[3] // n
            if a:
                row += bytes([acc[0] * 255 // acc[3], acc[1] * 255 // acc[3],
                              acc[2] * 255 // acc[3], a])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(size, rows):
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(images):
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, data in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32,
                               len(data), offset + len(blobs))
        blobs += data
    return head + entries + blobs


def main():
    web = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    def write(name, data):
        with open(os.path.join(web, name), "wb") as f:
            f.write(data)
    write("favicon.ico", ico([(s, png(s, render(s))) for s in (16, 32)]))
    for s in (192, 512):
        write(f"icon-{s}.png", png(s, render(s)))
    write("icon-maskable-512.png", png(512, render(512, maskable=True)))


if __name__ == "__main__":
    main()
