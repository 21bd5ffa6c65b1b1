"""Write HallDesk's icon: an SVG drawn here, PNGs rendered from it, and a Windows .ico.

    python packaging/make_icons.py        # writes resources/icons/

The drawing is this file's own (a counter under a signal), so no image of unknown origin
enters the repository; run the script again after changing it. PNGs are rendered with Qt's
SVG renderer (QtSvg, part of PySide6-Essentials); the .ico packs the PNGs as PNG entries,
which every Windows since Vista reads.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

BLUE = "#1f4e79"
LIGHT = "#2e75b6"

SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>HallDesk</title>
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{LIGHT}"/>
      <stop offset="1" stop-color="{BLUE}"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>
  <g fill="none" stroke="#ffffff" stroke-linecap="round" stroke-width="14">
    <path d="M 94 96 A 48 48 0 0 1 162 96"/>
    <path d="M 70 72 A 82 82 0 0 1 186 72"/>
  </g>
  <circle cx="128" cy="124" r="14" fill="#ffffff"/>
  <rect x="44" y="156" width="168" height="22" rx="6" fill="#ffffff"/>
  <rect x="62" y="178" width="132" height="40" rx="4" fill="#ffffff" fill-opacity="0.78"/>
</svg>
"""


def write_svg() -> Path:
    ICONS.mkdir(parents=True, exist_ok=True)
    path = ICONS / "halldesk.svg"
    path.write_text(SVG, encoding="utf-8")
    return path


def render_pngs(svg: Path) -> dict[int, bytes]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"Qt cannot read {svg}")
    pngs = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        data = bytes(buffer.data().data())
        (ICONS / f"halldesk-{size}.png").write_bytes(data)
        pngs[size] = data
    return pngs


def write_ico(pngs: dict[int, bytes]) -> Path:
    """An ICO whose entries are PNGs (the ICONDIR header, one ICONDIRENTRY each, the data)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    path = ICONS / "halldesk.ico"
    path.write_bytes(header + entries + blobs)
    return path


def main() -> int:
    svg = write_svg()
    pngs = render_pngs(svg)
    ico = write_ico(pngs)
    print(f"wrote {svg.name}, {len(pngs)} PNGs and {ico.name} in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
