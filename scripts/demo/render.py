#!/usr/bin/env python3
"""Renders terminal frames captured by `tmux capture-pane -e -p` into one
animated SVG (CSS keyframes: no script, no extra tools; GitHub shows it in a
README).

Usage: render.py FRAMES_DIR OUT.svg [--still N]

With `--still N`, OUT.svg is frame N alone, with its colours written on each
run (no CSS), for tools that draw SVG without styles (to look at a frame).

FRAMES_DIR holds `NNN-SECONDS.ansi` files: each frame, in name order, is shown
for SECONDS. Identical frames in a row are merged. Standard library only.
"""

import re
import sys
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

CELL_W, CELL_H, FONT = 8.4, 17, 14
PAD = 10
# xterm's 16 colours, a little softened, on a dark background.
PALETTE = [
    "#1d1f21", "#cc6666", "#8cc06b", "#e0c060", "#6f9fd8", "#b58ad0", "#6cc0c0", "#c5c8c6",
    "#707880", "#ff7b7b", "#b5e08a", "#f0d77a", "#8fbcf0", "#d3a6ea", "#8ee0e0", "#ffffff",
]
BG, FG = "#16181a", "#d0d3d0"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
OTHER_ESC = re.compile(r"\x1b(\[[0-9;?]*[A-Za-ln-z]|\][^\x07]*\x07|[()][A-Z0-9])")


def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        r, g, b = levels[n // 36], levels[(n // 6) % 6], levels[n % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    v = 8 + (n - 232) * 10
    return f"#{v:02x}{v:02x}{v:02x}"


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = False
        self.dim = False
        self.reverse = False
        self.underline = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 4:
                self.underline = True
            elif c == 24:
                self.underline = False
            elif c == 7:
                self.reverse = True
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = "#{:02x}{:02x}{:02x}".format(*codes[i + 2 : i + 5])
                    i += 4
                else:
                    colour = None
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def cell(self):
        fg, bg = self.fg or FG, self.bg
        if self.reverse:
            fg, bg = (self.bg or BG), (self.fg or FG)
        return (fg, bg, self.bold, self.dim, self.underline)


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text):
    """Lines of (column, char, cell style)."""
    style = Style()
    lines = []
    for raw in text.split("\n"):
        col, cells, pos = 0, [], 0
        raw = OTHER_ESC.sub("", raw)
        for m in SGR.finditer(raw + "\x1b[m"):
            for ch in raw[pos : m.start()]:
                w = width(ch)
                if w:
                    cells.append((col, ch, style.cell()))
                    col += w
            style.apply(m.group(1))
            pos = m.end()
        lines.append(cells)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def num(v):
    """`12.0` → `12`, `12.40` → `12.4`: shorter SVG."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def rect(y, run):
    x, w = PAD + run[0] * CELL_W, (run[2] - run[0]) * CELL_W
    return f'<rect x="{num(x)}" y="{y}" width="{num(w)}" height="{CELL_H}" fill="{run[1]}"/>'


def render_row(cells, classes):
    """One row's SVG at y = 0: background rectangles, then text runs."""
    out = []
    # Backgrounds: runs of one colour over cells that follow each other.
    run = None  # [first column, colour, column after the last]
    for col, ch, (fg, bg, *_rest) in cells:
        if run and (bg != run[1] or col != run[2]):
            out.append(rect(0, run))
            run = None
        if bg is not None:
            run = run or [col, bg, col]
            run[2] = col + width(ch)
    if run:
        out.append(rect(0, run))
    # Text: runs of one style whose cells follow each other.
    spans, run = [], None
    for col, ch, st in cells + [(None, None, None)]:
        fg, bg, bold, dim, underline = st if st else (None,) * 5
        key = (fg, bold, dim, underline)
        if run and (st is None or key != run[1] or col != run[3]):
            text = "".join(run[2])
            if text.strip():
                name = classes.setdefault(run[1], f"c{len(classes)}")
                x = PAD + run[0] * CELL_W
                # Braille and block elements (charts, maps, bars) are told
                # their width: fonts disagree on those glyphs' widths.
                fit = ""
                if any("\u2580" <= c <= "\u259f" or "\u2800" <= c <= "\u28ff" for c in text):
                    fit = f' textLength="{(run[3] - run[0]) * CELL_W:.1f}"'
                spans.append(f'<tspan x="{num(x)}"{fit} class="{name}">{escape(text)}</tspan>')
            run = None
        if st is None:
            break
        if run is None:
            run = [col, key, [ch], col + width(ch)]
        else:
            run[2].append(ch)
            run[3] = col + width(ch)
    if spans:
        out.append(f'<text y="{CELL_H - 4}">{"".join(spans)}</text>')
    return "".join(out)


def render_frame(lines, classes, rows):
    """One frame: each row drawn once in `rows` (row SVG → id), used here."""
    out = []
    for row, cells in enumerate(lines):
        body = render_row(cells, classes)
        if not body:
            continue
        ident = rows.setdefault(body, f"r{len(rows)}")
        out.append(f'<use href="#{ident}" y="{PAD + row * CELL_H}"/>')
    return "".join(out)


def main():
    frames_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    still = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--still" else None
    frames = []
    for f in sorted(frames_dir.glob("*.ansi")):
        seconds = float(f.stem.split("-", 1)[1])
        text = f.read_text(encoding="utf-8", errors="replace")
        if frames and frames[-1][0] == text:
            frames[-1][1] += seconds
        else:
            frames.append([text, seconds])
    if not frames:
        sys.exit(f"no frames in {frames_dir}")
    classes, rows_used = {}, {}
    parsed = [parse(t) for t, _ in frames]
    cols = max((c[-1][0] + 1 for lines in parsed for c in lines if c), default=80)
    rows = max(len(lines) for lines in parsed)
    total = sum(s for _, s in frames)
    w, h = PAD * 2 + cols * CELL_W, PAD * 2 + rows * CELL_H
    body, css = [], []
    start = 0.0
    for i, (lines, (_, seconds)) in enumerate(zip(parsed, frames)):
        a, b = 100 * start / total, 100 * (start + seconds) / total
        # Shown from a% to b% of the loop, hidden otherwise.
        keys = []
        if a > 0:
            keys.append(f"0%,{a:.3f}%{{visibility:hidden}}")
        keys.append(f"{a:.3f}%,{b - 0.001:.3f}%{{visibility:visible}}")
        if b < 100:
            keys.append(f"{b:.3f}%,100%{{visibility:hidden}}")
        css.append(f"@keyframes k{i}{{{''.join(keys)}}}#f{i}{{animation:k{i} {total:.2f}s step-end infinite}}")
        # Without CSS animation (some viewers), the first frame shows.
        hidden = ' visibility="hidden"' if i else ""
        body.append(f'<g id="f{i}"{hidden}>{render_frame(lines, classes, rows_used)}</g>')
        start += seconds
    if still is not None:
        lines = parsed[still]
        inline, rows_used = {}, {}
        frame = render_frame(lines, inline, rows_used)
        defs = "".join(f'<g id="{i}">{body}</g>' for body, i in rows_used.items())
        frame = f"<defs>{defs}</defs>{frame}"
        for (fg, bold, *_), name in inline.items():
            weight = ' font-weight="bold"' if bold else ""
            frame = frame.replace(f'class="{name}"', f'fill="{fg}"{weight}')
        out.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}">'
            f'<rect width="100%" height="100%" fill="{BG}"/>'
            f'<g font-family="DejaVu Sans Mono" font-size="{FONT}" xml:space="preserve">'
            f"{frame}</g></svg>\n",
            encoding="utf-8",
        )
        return
    for (fg, bold, dim, underline), name in classes.items():
        rule = f"fill:{fg}"
        if bold:
            rule += ";font-weight:bold"
        if dim:
            rule += ";opacity:.6"
        if underline:
            rule += ";text-decoration:underline"
        css.append(f".{name}{{{rule}}}")
    defs = "".join(f'<g id="{i}">{row}</g>' for row, i in rows_used.items())
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.1f} {h}">'
        f"<style>text{{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
        f"font-size:{FONT}px;white-space:pre}}{''.join(css)}</style>"
        f'<rect width="100%" height="100%" rx="6" fill="{BG}"/>'
        f"<defs>{defs}</defs>{''.join(body)}</svg>\n"
    )
    out.write_text(svg, encoding="utf-8")
    size = len(svg.encode("utf-8"))
    print(f"{out}: {len(frames)} frames, {total:.1f} s, {size // 1024} KiB")


if __name__ == "__main__":
    main()
