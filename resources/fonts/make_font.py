"""Build the bundled CJK fonts ``NotoSansSC-Regular.ttf`` and ``NotoSansSC-Bold.ttf``.

Run from the repository root::

    .venv/bin/python resources/fonts/make_font.py

Why this script exists
----------------------
HallDesk prints receipts and reports with reportlab and draws its UI with Qt.
Both need a Simplified-Chinese font that ships with the app, so the output
looks the same on every machine.

* **reportlab needs TrueType (``glyf``) outlines.** It can only embed
  TrueType-flavoured fonts. OpenType/CFF fonts such as the common
  ``NotoSansCJK*.otf`` / ``SourceHanSans*.otf`` files fail with
  "postscript outlines are not supported". The ``justmytype-intl-cjk`` PyPI
  package ships the OFL Noto Sans SC font from Google Fonts as a *variable*
  TrueType font (``NotoSansSC[wght].ttf``, with ``glyf`` and ``gvar``), so we
  start from that file.

* **The variable font must be instanced, and the name table updated.**
  reportlab ignores ``fvar``/``gvar`` and would draw the default master,
  which is *Thin* (wght=100). We pin the ``wght`` axis to 400 (Regular) and
  700 (Bold) with ``fontTools.varLib.instancer``. We pass
  ``updateFontNames=True`` (``--update-name-table`` on the command line) so
  the name table and the style bits match the instance: family
  "Noto Sans SC", subfamily "Regular"/"Bold". Without it the names still say
  "Noto Sans SC Thin", and reportlab and Qt use the wrong family or style.

* **The subset is cut down to what the app needs.** The full font maps
  about 30,900 characters, including all of CJK Extension A and a few
  hundred other characters. We keep:

  - every character that Python's ``gbk`` codec decodes from a two-byte code
    in 0x8140-0xFEFE. This covers GB2312 and the rarer hanzi used in
    personal names (e.g. 龑, 堃, 喆). Hanzi outside GBK, such as
    Extension A 䶮, are not included;
  - printable ASCII, Latin-1 punctuation and letters (U+00A0-U+00FF), common
    General Punctuation (— ‘ ’ “ ” … ‰ and similar), CJK Symbols and
    Punctuation (U+3000-U+303F), Halfwidth and Fullwidth Forms
    (U+FF00-U+FFEF), the yen/yuan signs ¥ and ￥, and a few arrows, shapes and
    check marks (→ ▲ ▼ ● ○ ✓ ...).

  Hinting is dropped because the CJK glyphs do not use it and it only adds
  size. The layout features that fontTools keeps by default stay, including
  vertical ``vert``/``vrt2``, ``locl`` and the east-Asian spacing features.
  ``vhea``/``vmtx``/``BASE`` also stay, so vertical metrics and baselines
  remain correct. All name records stay (``--name-IDs='*'``) so the family
  names and the copyright/licence strings are kept.

The script also copies the font's ``OFL.txt`` from the package next to the
fonts. Characters we ask for but the source font does not have are printed as
a warning. They cannot be added here.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fontTools.varLib import instancer  # type: ignore[import-untyped]

SOURCE_PACKAGE: str = "justmytype-intl-cjk"
SOURCE_MODULE: str = "justmytype_intl_cjk"
SOURCE_GLOB: str = "NotoSansSC*wght*.ttf"
FAMILY_NAME: str = "Noto Sans SC"
OUT_DIR: Path = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Style:
    """One static instance to build from the variable font."""

    weight: int
    subfamily: str
    filename: str


STYLES: tuple[Style, ...] = (
    Style(weight=400, subfamily="Regular", filename="NotoSansSC-Regular.ttf"),
    Style(weight=700, subfamily="Bold", filename="NotoSansSC-Bold.ttf"),
)

# Characters outside GBK (or easy to miss) that the app uses.
EXTRA_CHARS: str = "¥￥‰×÷·—–‐‑‒―‖“”‘’‚„…•†‡′″‹›※‼€№℃™©®°±→←↑↓↔▲△▼▽●○◎■□◆◇★☆✓✗√"

# (first, last) inclusive Unicode ranges that are always requested.
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement: punctuation, signs, letters
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)


def find_source_font() -> Path:
    """Return the path of the variable ``NotoSansSC[wght].ttf`` from justmytype-intl-cjk."""
    candidates: list[Path] = []
    try:
        root = Path(str(resources.files(SOURCE_MODULE)))
        candidates = sorted(root.rglob(SOURCE_GLOB))
    except ModuleNotFoundError:
        pass
    if not candidates:
        try:
            dist = distribution(SOURCE_PACKAGE)
        except PackageNotFoundError:
            sys.exit(
                f"error: {SOURCE_PACKAGE} is not installed; "
                f"run: .venv/bin/pip install {SOURCE_PACKAGE} fonttools"
            )
        for file in dist.files or ():
            path = Path(str(dist.locate_file(file)))
            if path.match(SOURCE_GLOB):
                candidates.append(path)
    if not candidates:
        sys.exit(f"error: no {SOURCE_GLOB} found in {SOURCE_PACKAGE}")
    return candidates[0]


def find_source_licence(font_path: Path) -> Path | None:
    """Return the OFL.txt that sits next to the source font, if there is one."""
    licence = font_path.parent / "OFL.txt"
    return licence if licence.is_file() else None


def gbk_codepoints() -> set[int]:
    """Return every code point that a two-byte GBK sequence 0x8140-0xFEFE decodes to."""
    result: set[int] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                text = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            result.update(ord(ch) for ch in text)
    return result


def extra_codepoints() -> set[int]:
    """Return the non-GBK code points the app needs (ASCII, punctuation, symbols)."""
    result: set[int] = {ord(ch) for ch in EXTRA_CHARS}
    for first, last in EXTRA_RANGES:
        result.update(range(first, last + 1))
    # Drop unassigned, control, format and separator code points inside the ranges.
    skip = ("Cn", "Cc", "Cf", "Cs", "Zl", "Zp")
    return {cp for cp in result if unicodedata.category(chr(cp)) not in skip}


def is_hanzi(codepoint: int) -> bool:
    """Return True for CJK unified or compatibility ideographs."""
    return unicodedata.name(chr(codepoint), "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def subset_options() -> subset.Options:
    """Return pyftsubset options (like ``--no-hinting --name-IDs='*' --notdef-outline``)."""
    options = subset.Options()
    options.hinting = False  # --no-hinting
    options.name_IDs = ["*"]  # --name-IDs='*'
    options.name_languages = ["*"]  # --name-languages='*'
    options.name_legacy = True  # --name-legacy
    options.notdef_outline = True  # draw a box for characters that are missing
    options.glyph_names = False  # post format 3, smaller
    options.recalc_timestamp = False  # keep head.modified from the source
    options.prune_codepage_ranges = False  # keep OS/2 ulCodePageRange (CP936 etc.)
    return options


def build_style(source: Path, style: Style, unicodes: set[int], out_dir: Path) -> Path:
    """Instance the variable font at ``style.weight``, subset it, save it and return the path."""
    started = time.monotonic()
    varfont = TTFont(source, recalcTimestamp=False)
    font = instancer.instantiateVariableFont(
        varfont,
        {"wght": style.weight},
        inplace=True,
        updateFontNames=True,
        static=True,
    )
    subsetter = subset.Subsetter(options=subset_options())
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    out_path = out_dir / style.filename
    font.recalcTimestamp = False
    font.save(out_path)
    font.close()
    print(
        f"  wrote {out_path} ({out_path.stat().st_size / 1e6:.2f} MB) "
        f"in {time.monotonic() - started:.0f} s"
    )
    return out_path


def check_output(path: Path, style: Style) -> list[str]:
    """Return a list of problems with a built font (an empty list means it is OK)."""
    problems: list[str] = []
    font = TTFont(path)
    name = font["name"]
    family = name.getDebugName(1)
    subfamily = name.getDebugName(2)
    if family != FAMILY_NAME:
        problems.append(f"{path.name}: family {family!r}, want {FAMILY_NAME!r}")
    if subfamily != style.subfamily:
        problems.append(f"{path.name}: subfamily {subfamily!r}, want {style.subfamily!r}")
    if "glyf" not in font or "CFF " in font or "CFF2" in font:
        problems.append(f"{path.name}: no glyf table (or CFF present)")
    for table in ("fvar", "gvar"):
        if table in font:
            problems.append(f"{path.name}: still has variable table {table}")
    if font["OS/2"].usWeightClass != style.weight:
        problems.append(f"{path.name}: usWeightClass {font['OS/2'].usWeightClass}")
    font.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="variable NotoSansSC[wght].ttf to use")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)

    source: Path = args.source or find_source_font()
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"source: {source}")
    licence = find_source_licence(source)
    if licence is not None:
        shutil.copyfile(licence, out_dir / "OFL.txt")
        print(f"licence: copied {licence} to {out_dir / 'OFL.txt'}")
    else:
        print(f"warning: no OFL.txt next to {source}; keep {out_dir / 'OFL.txt'} as it is")

    gbk = gbk_codepoints()
    wanted = gbk | extra_codepoints()
    with TTFont(source, lazy=True) as probe:
        source_cmap = probe.getBestCmap()
    missing = sorted(cp for cp in wanted if cp not in source_cmap)
    gbk_hanzi = {cp for cp in gbk if is_hanzi(cp)}
    print(
        f"GBK: {len(gbk)} characters ({len(gbk_hanzi)} hanzi); "
        f"requested in total: {len(wanted)}; in source font: {len(wanted) - len(missing)}"
    )
    print(f"GBK hanzi missing from source: {sum(1 for cp in gbk_hanzi if cp not in source_cmap)}")
    if missing:
        listed = " ".join(f"U+{cp:04X} {chr(cp)}" for cp in missing)
        print(f"warning: {len(missing)} requested characters are not in the source: {listed}")

    problems: list[str] = []
    for style in STYLES:
        print(f"building {style.subfamily} (wght={style.weight}) ...")
        path = build_style(source, style, wanted, out_dir)
        problems.extend(check_output(path, style))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
