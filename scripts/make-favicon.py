#!/usr/bin/env python3
"""Draws static/icon.svg's design (a white clock on a blue rounded square) into
static/favicon.ico: 16 and 32 px PNG images in an ICO container, with 4x4 supersampling.
Run it after changing the icon: python3 scripts/make-favicon.py"""
import math
import struct
import zlib
from pathlib import Path

BLUE, WHITE = (0x0B, 0x62, 0xB8), (255, 255, 255)


def segment_hit(x, y, ax, ay, bx, by, half_width):
    vx, vy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)))
    return math.hypot(x - (ax + t * vx), y - (ay + t * vy)) <= half_width


def colour_at(x, y):
    """The icon in its 32x32 design space: None outside the rounded square."""
    cx, cy = min(max(x, 7), 25), min(max(y, 7), 25)
    if (x - cx) ** 2 + (y - cy) ** 2 > 49:
        return None
    ring = abs(math.hypot(x - 16, y - 16) - 10) <= 1.5
    hands = segment_hit(x, y, 16, 9.5, 16, 16, 1.5) or segment_hit(x, y, 16, 16, 20.5, 19, 1.5)
    return WHITE if ring or hands else BLUE


def png(size, samples=4):
    scale, rows = size / 32.0, []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            hits = [colour_at((px + (sx + 0.5) / samples) / scale, (py + (sy + 0.5) / samples) / scale)
                    for sy in range(samples) for sx in range(samples)]
            covered = [c for c in hits if c]
            if not covered:
                row += bytes(4)
                continue
            rgb = [round(sum(c[i] for c in covered) / len(covered)) for i in range(3)]
            row += bytes(rgb + [round(255 * len(covered) / len(hits))])
        rows.append(b"\x00" + bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def ico(sizes):
    images = [png(s) for s in sizes]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(sizes, images):
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"
    target.write_bytes(ico([16, 32]))
    print(f"wrote {target}")
