#!/usr/bin/env python3
"""Export Necka's icon at the packaged sizes from the same drawing the tray uses.

    .venv/bin/python packaging/make_icons.py [OUT_DIR]   (default: assets/icons)

Writes a freedesktop hicolor tree (``hicolor/<N>x<N>/apps/<APP_ID>.png``), a
multi-size ``necka.ico`` (Windows, PyInstaller) and ``necka.icns`` (macOS).
The output is committed; a test checks it still matches ``windows/icon.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from necka_tray import APP_ID  # noqa: E402
from necka_tray.core.planner import RING_STEPS  # noqa: E402
from necka_tray.windows.icon import draw_icon  # noqa: E402

PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
#: The app icon shows the ring part-filled, as the tray does mid-countdown.
STEP = RING_STEPS * 5 // 8


def icon(size: int):
    return draw_icon(step=STEP, size=size)


def png_path(out: Path, size: int) -> Path:
    return out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "assets" / "icons"
    for size in PNG_SIZES:
        path = png_path(out, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        icon(size).save(path, optimize=True)
    largest = icon(max(ICO_SIZES))
    largest.save(out / "necka.ico", sizes=[(s, s) for s in ICO_SIZES])
    icon(max(ICNS_SIZES)).save(out / "necka.icns", append_images=[icon(s) for s in ICNS_SIZES[:-1]])
    print(f"icons written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
