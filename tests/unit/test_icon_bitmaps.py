"""The tray icon's pixels without Pillow: the cache file, and blending onto the tray's background."""

from __future__ import annotations

from necka_tray.tray import icon_pixels
from necka_tray.windows import icon_bitmaps
from necka_tray.windows.icon import draw_icon


def test_the_cache_holds_every_icon_as_the_drawing_makes_it(tmp_path):
    path = icon_bitmaps.cache_file(tmp_path, 24)
    assert icon_bitmaps.main(["24", str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o600
    for key in [(0, False, False), (3, False, True), (8, True, False)]:
        assert icon_bitmaps.read(path, key, 24) == draw_icon(*key, size=24).convert("RGBA").tobytes()
    assert len(icon_bitmaps.keys()) == len(set(icon_bitmaps.keys())) == 36


def test_a_missing_wrong_or_cut_cache_reads_as_none(tmp_path):
    path = icon_bitmaps.cache_file(tmp_path, 16)
    assert icon_bitmaps.read(path, (0, False, False), 16) is None
    icon_bitmaps.write(path, 16)
    assert icon_bitmaps.read(path, (0, False, False), 22) is None  # another size
    assert icon_bitmaps.read(path, (99, False, False), 16) is None  # no such key
    path.write_bytes(path.read_bytes()[:100])
    assert icon_bitmaps.read(path, (8, True, True), 16) is None


def test_the_png_for_bubbles(tmp_path):
    assert icon_bitmaps.main(["png", "128", str(tmp_path / "i.png")]) == 0
    assert (tmp_path / "i.png").read_bytes().startswith(b"\x89PNG")
    assert icon_bitmaps.main(["0", str(tmp_path / "x")]) == 2


def test_blend_onto_the_background():
    # A 2x1 background (B G R X) and a 1x1 icon centred at x=0: opaque red, then half-transparent.
    background = bytes([10, 20, 30, 0, 10, 20, 30, 0])
    opaque = bytes([255, 0, 0, 255])
    # Centred at (2-1)//2 = 0: the first pixel becomes red, written B G R.
    assert icon_pixels.blend(opaque, background, 2, 1, 1) == bytes([0, 0, 255, 0, 10, 20, 30, 0])
    half = bytes([255, 255, 255, 128])
    out = icon_pixels.blend(half, background, 1, 1, 1)
    assert out[:3] == bytes([(255 * 128 + 10 * 127) // 255, (255 * 128 + 20 * 127) // 255,
                             (255 * 128 + 30 * 127) // 255])
    clear = bytes([255, 255, 255, 0])
    assert icon_pixels.blend(clear, background, 2, 1, 1) == background
    # X R G B servers (most significant byte first)
    assert icon_pixels.blend(opaque, bytes(4), 1, 1, 1, bgrx=False) == bytes([0, 255, 0, 0])


def test_premultiplied_for_translucent_trays():
    out = icon_pixels.premultiplied_bgra(bytes([200, 100, 50, 128]), 3, 3, 1)
    assert out[16:20] == bytes([50 * 128 // 255, 100 * 128 // 255, 200 * 128 // 255, 128])  # the centre
    assert out[:16] == bytes(16)
