"""The real-screen check: the real program at 1366×768 under a window manager, keys only.

Usage: python docs/make_screenshots_xvfb.py [--language zh_CN en] [--all DIR] [--out DIR]

docs/make_screenshots.py renders widgets offscreen; this script looks at the program as a
clerk's counter PC shows it. For each language it

* generates a demo store with ``halldesk demo-data`` in a temporary folder (a temporary
  HOME too, so no setting of yours is read or written; the language is set in the
  temporary QSettings file);
* starts ``Xvfb`` on a free display (:90 or above; ``-displayfd`` says when it is up)
  with one 1366×768 screen, and ``openbox`` on it. The counter's 40 px panel (a
  taskbar) is openbox's bottom margin: openbox then reports a work area of 1366×728
  (``_NET_WORKAREA``), as a real panel's strut would, and the root window is painted
  with a dark 40 px band where the panel sits. Openbox's title bar uses the bundled Noto
  Sans SC (a temporary fonts.conf adding ``resources/fonts``, given to openbox only: the
  program must find its fonts itself);
* starts the real program (``python -m app.cli run --db …``, what ``halldesk`` runs) and
  drives it with ``xdotool`` key presses only (:func:`steps`): log in as the demo clerk,
  search by pinyin and by number, open the customer, F6 identity check, every tab by
  Ctrl+1 … Ctrl+5, the main dialogs by their function keys;
* after each step waits until the expected window is the active one (by its translated
  title; a step that does not get there stops the run with exit status 1, its screen in
  ``FAILED-<language>.png`` and the end of the program's log printed), checks that the
  active window with its frame lies on the screen and above the panel (:func:`off_screen`;
  one that does not is pictured, listed at the end and the exit status is 1), and takes
  the whole screen with ``import -window root``. The pictures the user guides show
  (:data:`GUIDE_SHOTS`) go to docs/images/screen/<step>-<language>.png in 256 colours;
  ``--all DIR`` keeps every step's picture.

Every process it starts (Xvfb, openbox, the program) is stopped at the end, also after a
failure, Ctrl+C or SIGTERM. Needs: Xvfb, openbox, xdotool, xprop and xwininfo, ImageMagick
(``import``, ``convert``, ``display``) — on Debian ``apt-get install xvfb openbox xdotool
x11-utils imagemagick``. About 3 minutes per language.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_screenshots import DEMO_PASSWORD, OUT, _customer_in_arrears  # noqa: E402

from app.domain.names import pinyin_keys  # noqa: E402
from app.i18n import _, in_language  # noqa: E402

SCREEN_DIR = OUT / "screen"
SCREEN = (1366, 768)
#: The counter PC's taskbar at the bottom of the screen.
PANEL = 40
LANGUAGES = ("zh_CN", "en")
#: Every demo customer's service password (app/demo/generator.py).
SERVICE_PASSWORD = "135790"
#: How long a step may take to reach its window (the first start builds the window).
STEP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Step:
    """One step of the clerk's walk: keys pressed, then the window it must end in.

    ``actions`` are xdotool actions: ``"key:ctrl+1"`` (one key, xdotool's key names),
    ``"type:text"`` (typed), ``"sleep:1.5"``. ``window`` is the msgid of the title the
    active window must have afterwards (``{placeholder}`` matches anything). ``shot``
    names the picture of the whole screen taken after it; ``settle`` is the seconds to
    wait before taking it (a worklist loading, a search running).
    """

    shot: str
    actions: tuple[str, ...]
    window: str
    settle: float = 1.0


MAIN = "HallDesk 营业厅柜台工作台 — {hall}"
#: The pictures the user guides show (docs/images/screen/<name>-<language>.png): every
#: tab at work, the payment dialog and the checklist. The other steps' pictures are kept
#: only with ``--all``.
GUIDE_SHOTS: Final = (
    "lookup",
    "payment",
    "receipt-preview",
    "arrears",
    "complaint-form",
    "shift",
    "shift-close",
    "handover",
    "checklist",
)


def steps(number: str, pinyin: str, language: str) -> tuple[Step, ...]:
    """The walk through the program, keys only, from the login to the checklist.

    ``number`` is a service number of a customer in arrears with one account (F2 pays for
    it), ``pinyin`` a customer's name in full pinyin.
    """
    zh = language == "zh_CN"
    return (
        Step("login", (), "Log in — HallDesk", settle=0.5),
        Step(
            "logged-in",
            ("type:A001", "key:Tab", f"type:{DEMO_PASSWORD}", "key:Return"),
            MAIN,
            settle=3.0,
        ),
        # The shift tab (Ctrl+4) and its Open shift button by its underlined letter (Alt+O);
        # Enter moves down the denominations, Ctrl+Enter commits.
        Step("shift-open", ("key:ctrl+4", "key:alt+o"), "Open shift"),
        Step("shift-open-counted", ("type:5", "key:Return", "type:10"), "Open shift"),
        Step("shift-opened", ("key:ctrl+Return",), MAIN, 2.0),
        Step("search", ("key:ctrl+1", "key:ctrl+f", f"type:{pinyin}"), MAIN),
        Step("customer", ("key:Escape", f"type:{number}", "key:Return"), MAIN, 2.0),
        Step("identity", ("key:F6",), "Verify identity", 0.5),
        Step("lookup", (f"type:{SERVICE_PASSWORD}", "key:Return"), MAIN),
        Step("payment", ("key:F2",), "Collect payment"),
        Step("payment-confirm", ("key:Return",), "Collect payment — confirm"),
        # Enter records the payment; the receipt goes to the print preview (this screen has
        # no printer, so "print directly" is off in the settings file), where Esc cancels:
        # the receipt page says it was not printed.
        Step("receipt-preview", ("key:Return",), "Print preview — {title}", 2.0),
        Step("payment-done", ("key:Escape",), "Collect payment — receipt"),
        Step("payment-closed", ("key:Escape",), MAIN),
        Step("arrears", ("key:ctrl+2",), MAIN, 4.0),
        Step("complaints", ("key:ctrl+3",), MAIN, 3.0),
        # F4 on the open customer: the intake form starts at the numbered category (1,
        # billing); Enter takes the subcategory, Enter moves on to the description.
        Step(
            "complaint-form",
            (
                "key:ctrl+1",
                "sleep:0.5",
                "key:F4",
                "sleep:1",
                *("key:1", "key:Return", "key:Return"),
                "type:"
                + ("上月话费多扣了 30 元，请核查退还" if zh else "Charged 30 yuan too much"),
            ),
            MAIN,
            2.0,
        ),
        Step("complaint-form-left", ("key:Escape",), MAIN),
        # F8: the shift tab's X report, the focus on its page; Ctrl+Tab to the handover page.
        Step("shift", ("key:F8",), MAIN, 2.0),
        Step("handover", ("key:ctrl+Tab",), MAIN, 2.0),
        # Close shift by its underlined letter (Alt+L). The blind count is begun and Esc
        # leaves the shift open.
        Step(
            "shift-close",
            (
                *("key:ctrl+4", "key:alt+l", "sleep:1"),
                *("type:34", "key:Return", "type:1", "key:Return"),
            ),
            "Close shift",
            1.0,
        ),
        Step("shift-close-cancelled", ("key:Escape",), MAIN),
        Step("etiquette", ("key:ctrl+5",), MAIN, 2.0),
        # F7: the self-check opens on its answers; one key an item (P pass, F fail).
        Step(
            "checklist",
            ("key:F7", "sleep:2", "key:p", "key:p", "key:f", "key:p"),
            "Start-of-shift self-check",
            2.0,
        ),
    )


def title_pattern(msgid: str, language: str) -> re.Pattern[str]:
    """The translated title as a pattern: placeholders match anything."""
    with in_language(language):
        title = _(msgid)
    parts = re.split(r"\{[a-z_]+\}", title)
    return re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$")


def parse_xwininfo(text: str) -> dict[str, int]:
    """``xwininfo -id WID`` output as X, Y (absolute, of the client area), WIDTH, HEIGHT.

    (``xdotool getwindowgeometry`` is not used: under a reparenting window manager it adds
    the title bar's height to Y twice.)
    """
    fields = {
        "Absolute upper-left X": "X",
        "Absolute upper-left Y": "Y",
        "Width": "WIDTH",
        "Height": "HEIGHT",
    }
    values: dict[str, int] = {}
    for line in text.splitlines():
        label, sep, value = line.strip().partition(":")
        if sep and label in fields and value.strip().lstrip("-").isdigit():
            values[fields[label]] = int(value)
    missing = set(fields.values()) - values.keys()
    if missing:
        raise ValueError(f"xwininfo said nothing of {sorted(missing)}")
    return values


def parse_extents(text: str) -> tuple[int, int, int, int]:
    """``xprop _NET_FRAME_EXTENTS`` as (left, right, top, bottom); no frame when not set."""
    numbers = re.findall(r"\d+", text.partition("=")[2])
    if len(numbers) != 4:
        return (0, 0, 0, 0)
    left, right, top, bottom = (int(n) for n in numbers)
    return (left, right, top, bottom)


def off_screen(
    geometry: dict[str, int],
    extents: tuple[int, int, int, int],
    screen: tuple[int, int] = SCREEN,
    panel: int = PANEL,
) -> list[str]:
    """What of a window (its client area plus the window manager's frame) lies outside the
    screen less the bottom panel; empty when the whole window can be seen."""
    left, right, top, bottom = extents
    x0 = geometry["X"] - left
    y0 = geometry["Y"] - top
    x1 = geometry["X"] + geometry["WIDTH"] + right
    y1 = geometry["Y"] + geometry["HEIGHT"] + bottom
    usable = screen[1] - panel
    problems = []
    if x0 < 0:
        problems.append(f"{-x0} px beyond the left edge")
    if y0 < 0:
        problems.append(f"{-y0} px above the top edge")
    if x1 > screen[0]:
        problems.append(f"{x1 - screen[0]} px beyond the right edge")
    if y1 > usable:
        problems.append(f"{y1 - usable} px below {usable} (the top of the {panel} px panel)")
    return problems


def free_display(first: int = 90, x11: Path = Path("/tmp")) -> int:
    """The first display number from ``first`` with neither a lock file nor a socket: well
    above :0 and :1, which a desktop or someone's own ``Xvfb :0`` may take at any time."""
    for number in range(first, first + 100):
        if (
            not (x11 / f".X{number}-lock").exists()
            and not (x11 / ".X11-unix" / f"X{number}").exists()
        ):
            return number
    raise StepFailed(f"no free X display from :{first}")


class StepFailed(RuntimeError):
    """A step did not reach its window, or the window does not fit."""


# -- the X session --------------------------------------------------------------------------


def _run(args: Sequence[str], env: dict[str, str], check: bool = True) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        raise StepFailed(f"{' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


class Session:
    """Xvfb, openbox and the program, started in order and stopped in reverse."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.processes: list[subprocess.Popen[bytes]] = []
        self.display = ""

    def _start(self, args: Sequence[str], env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
        out = (self.tmp / log).open("wb")
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("QT_QPA_PLATFORM", None)
        env.update(
            DISPLAY=self.display,
            HOME=str(self.tmp / "home"),
            XDG_CONFIG_HOME=str(self.tmp / "home" / ".config"),
            XDG_DATA_HOME=str(self.tmp / "home" / ".local" / "share"),
            XDG_RUNTIME_DIR=str(self.tmp / "run"),
        )
        return env

    def start_x(self) -> None:
        read, write = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                f":{free_display()}",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{SCREEN[0]}x{SCREEN[1]}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "xvfb.log").open("wb"),
            start_new_session=True,
        )
        self.processes.append(xvfb)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise StepFailed(f"Xvfb did not start: {(self.tmp / 'xvfb.log').read_text()}")
        self.display = f":{number}"
        (self.tmp / "run").mkdir(mode=0o700, exist_ok=True)
        self._start(
            ["openbox", "--config-file", str(self._openbox_config())],
            {**self.env, "FONTCONFIG_FILE": str(self._fonts_conf())},
            "openbox.log",
        )
        self._wait(lambda: "CARDINAL" in self._workarea(), "openbox did not start")
        self._paint_panel()  # after openbox, which clears the root window as it starts
        workarea = self._workarea()
        expected = f"0, 0, {SCREEN[0]}, {SCREEN[1] - PANEL}"
        if expected not in workarea:
            raise StepFailed(f"the work area is not the screen less the panel: {workarea}")

    def _workarea(self) -> str:
        return _run(["xprop", "-root", "_NET_WORKAREA"], self.env, check=False)

    def _paint_panel(self) -> None:
        """The root window: a desktop colour with the 40 px panel's band at the bottom."""
        image = self.tmp / "root.png"
        _run(
            [
                "convert",
                "-size",
                f"{SCREEN[0]}x{SCREEN[1]}",
                "xc:#3b6e8f",
                "-fill",
                "#202124",
                "-draw",
                f"rectangle 0,{SCREEN[1] - PANEL} {SCREEN[0]},{SCREEN[1]}",
                "-fill",
                "#bdc1c6",
                "-pointsize",
                "13",
                "-annotate",
                f"+12+{SCREEN[1] - 15}",
                f"panel {PANEL} px (openbox margin)",
                str(image),
            ],
            self.env,
        )
        # display sets the root window's background and exits with 1 all the same.
        _run(["display", "-window", "root", str(image)], self.env, check=False)

    def _fonts_conf(self) -> Path:
        conf = self.tmp / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{ROOT / 'resources' / 'fonts'}</dir>\n"
            f"  <cachedir>{self.tmp / 'fontconfig'}</cachedir>\n</fontconfig>\n",
            encoding="utf-8",
        )
        return conf

    def _openbox_config(self) -> Path:
        fonts = "".join(
            f'<font place="{place}"><name>Noto Sans SC</name><size>9</size>'
            f"<weight>{weight}</weight></font>"
            for place, weight in (
                ("ActiveWindow", "Bold"),
                ("InactiveWindow", "Normal"),
                ("MenuItem", "Normal"),
            )
        )
        rc = self.tmp / "rc.xml"
        rc.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<openbox_config xmlns="http://openbox.org/3.4/rc">\n'
            f"<margins><top>0</top><bottom>{PANEL}</bottom><left>0</left><right>0</right>"
            "</margins>\n"
            f"<theme><name>Clearlooks</name>{fonts}</theme>\n"
            "<focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>\n"
            "</openbox_config>\n",
            encoding="utf-8",
        )
        return rc

    def start_program(self, db: Path, language: str) -> None:
        config = self.tmp / "home" / ".config" / "HallDesk"
        config.mkdir(parents=True, exist_ok=True)
        # No printer on this screen: the receipt goes to the preview (pictured), not
        # straight to a default printer that is not there.
        (config / "HallDesk.conf").write_text(
            f"[printing]\nprint_directly=false\n\n[ui]\nlanguage={language}\n", encoding="utf-8"
        )
        env = self.env
        env["HALLDESK_DATA_DIR"] = str(self.tmp / "data")
        self._start([sys.executable, "-m", "app.cli", "run", "--db", str(db)], env, "program.log")

    def _wait(self, done: Callable[[], bool], failure: str, seconds: float = STEP_TIMEOUT) -> None:
        """Poll ``done`` until it is true; a process of the session that exits is a failure."""
        end = time.monotonic() + seconds
        while not done():
            for process in self.processes:
                if process.poll() is not None:
                    name = Path(str(process.args[0] if isinstance(process.args, list) else ""))
                    raise StepFailed(f"{failure}: {name.name} exited ({process.returncode})")
            if time.monotonic() > end:
                raise StepFailed(failure)
            time.sleep(0.2)

    # -- driving it ----------------------------------------------------------------------

    def active_window(self) -> tuple[str, str]:
        """(window id, title) of the active window; ("", "") when there is none."""
        done = subprocess.run(
            ["xdotool", "getactivewindow", "getwindowname"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if done.returncode != 0:
            return ("", "")
        wid = _run(["xdotool", "getactivewindow"], self.env, check=False).strip()
        return (wid, done.stdout.strip())

    def act(self, action: str) -> None:
        kind, _sep, value = action.partition(":")
        if kind == "sleep":
            time.sleep(float(value))
        elif kind == "key":
            _run(["xdotool", "key", "--clearmodifiers", value], self.env)
        elif kind == "type":
            _run(["xdotool", "type", "--delay", "40", value], self.env)
        else:
            raise ValueError(f"unknown action {action!r}")
        time.sleep(0.3)

    def run_step(self, step: Step, language: str, pictures: Path) -> list[str]:
        """Press the step's keys, wait for its window, take the screen; what does not fit.

        A step that does not reach its window raises ``StepFailed`` (the rest of the walk
        would press keys into the wrong window); a window that does not fit is returned,
        pictured, and the walk goes on.
        """
        for action in step.actions:
            self.act(action)
        pattern = title_pattern(step.window, language)
        seen: list[str] = []

        def arrived() -> bool:
            title = self.active_window()[1]
            if not seen or seen[-1] != title:
                seen.append(title)
            return bool(pattern.match(title))

        try:
            self._wait(arrived, "", seconds=STEP_TIMEOUT)
        except StepFailed as exc:
            raise StepFailed(
                f"step {step.shot!r} ({language}): the active window is {seen[-1:]}, "
                f"not {pattern.pattern!r} {exc}"
            ) from None
        time.sleep(step.settle)
        wid, title = self.active_window()
        geometry = parse_xwininfo(_run(["xwininfo", "-id", wid], self.env))
        extents = parse_extents(_run(["xprop", "-id", wid, "_NET_FRAME_EXTENTS"], self.env))
        path = pictures / f"{step.shot}-{language}.png"
        _run(["import", "-window", "root", "-strip", str(path)], self.env)
        size = f"{geometry['WIDTH']}×{geometry['HEIGHT']}+{geometry['X']}+{geometry['Y']}"
        print(f"{step.shot} ({language}): {title}, {size}")
        return [
            f"{step.shot} ({language}): {title!r} ({size}, frame {extents}): {problem}"
            for problem in off_screen(geometry, extents)
        ]

    def stop(self) -> None:
        """Stop every process started here, the program first, Xvfb last."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
        self.processes.clear()


@contextmanager
def session(tmp: Path) -> Iterator[Session]:
    running = Session(tmp)
    try:
        yield running
    finally:
        running.stop()


def _demo_store(tmp: Path, customers: int) -> tuple[Path, str, str]:
    """A demo store made by the real command; (store, service number, a name's pinyin)."""
    db = tmp / "demo.sqlite3"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "demo-data",
            "--db",
            str(db),
            "--customers",
            str(customers),
            "--seed",
            "11",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    customer_id, name = _customer_in_arrears(db)
    con = sqlite3.connect(db)
    row = con.execute(
        "SELECT s.number FROM service s JOIN account a ON a.id = s.account_id "
        "WHERE a.customer_id = ? ORDER BY s.id LIMIT 1",
        (customer_id,),
    ).fetchone()
    con.close()
    return db, str(row[0]), pinyin_keys(name)[0]


def _keep(picture: Path, out: Path) -> None:
    """A picture for the guides: 256 colours, no metadata (a tenth of the size, same look)."""
    subprocess.run(
        ["convert", str(picture), "-strip", "-dither", "None", "-colors", "256", f"PNG8:{out}"],
        check=True,
    )
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--language", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=SCREEN_DIR, help="the guides' pictures")
    parser.add_argument("--all", type=Path, default=None, help="keep every step's picture here")
    args = parser.parse_args(argv)
    # Killed (SIGTERM) as when interrupted: the session's ``finally`` stops its processes.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    tools = ("Xvfb", "openbox", "xdotool", "xprop", "xwininfo", "import", "convert", "display")
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (see the docstring)")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.all is not None:
        args.all.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for language in args.language:
        with tempfile.TemporaryDirectory(prefix="halldesk-xvfb-") as name:
            tmp = Path(name)
            pictures = tmp / "shots"
            pictures.mkdir()
            db, number, pinyin = _demo_store(tmp, args.customers)
            with session(tmp) as running:
                try:
                    running.start_x()
                    running.start_program(db, language)
                    for step in steps(number, pinyin, language):
                        problems += running.run_step(step, language, pictures)
                except StepFailed as exc:
                    failed = args.out / f"FAILED-{language}.png"
                    with suppress(subprocess.SubprocessError, StepFailed):
                        _run(["import", "-window", "root", str(failed)], running.env)
                    log_file = tmp / "program.log"
                    log = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
                    print(f"FAILED: {exc}\nscreen: {failed}\n--- program log ---\n{log}")
                    return 1
            for shot in GUIDE_SHOTS:
                _keep(pictures / f"{shot}-{language}.png", args.out / f"{shot}-{language}.png")
            if args.all is not None:
                for picture in pictures.iterdir():
                    shutil.copy(picture, args.all / picture.name)
    if problems:
        print("Windows that do not fit 1366×768 with a 40 px panel:", *problems, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
