"""The Content-Security-Policy allows scripts only from our own static files. This scan keeps every
template compatible: no inline <script> blocks, no on*="..." handlers, no javascript: URLs, no
htmx hx-on attributes (they run through eval)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR) / "gongzhi"
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
SCRIPT_OPEN = re.compile(r"<script\b([^>]*)>", re.I | re.S)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\-\w]*)\s*=""", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
DATA_TYPES = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.I)


def templates():
    return sorted(p for p in ROOT.rglob("templates/**/*") if p.suffix in {".html", ".txt", ".svg"} and p.is_file())


def problems_in(text: str) -> list[str]:
    found = []
    for match in SCRIPT_OPEN.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes.replace(" ", "") and not DATA_TYPES.search(attributes):
            found.append(f"inline <script>: {match.group(0)[:80]}")
    for tag in TAG.finditer(text):
        handler = HANDLER.search(tag.group(0))
        if handler:
            found.append(f"{handler.group(1)}= handler: {tag.group(0)[:80]}")
        if JS_URL.search(tag.group(0)):
            found.append(f"javascript: URL: {tag.group(0)[:80]}")
    return found


def test_the_scan_catches_what_it_should():
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<button type="button" onclick="go()">x</button>')
    assert problems_in('<a href="javascript:void(0)">x</a>')
    assert problems_in('<div hx-on:click="x()"></div>')
    assert not problems_in("<script src=\"{% static 'app/x.js' %}\"></script>")
    assert not problems_in('<script id="data" type="application/json">{"a": 1}</script>')
    assert not problems_in("<p>once upon a time, on=1</p><input name=online>")


def test_no_template_has_inline_script_or_handlers():
    found = {}
    for path in templates():
        problems = problems_in(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert templates(), "no templates found"
    assert not found, f"move these into static .js files: {found}"


# Places where markup is deliberately not escaped, each with why it cannot carry user input.
UNESCAPED_ALLOWED = {
    # The QR code of the second factor: SVG drawn by segno from the server-made otpauth:// URI.
    ("core/templates/core/two_factor.html", "qr_svg|safe"),
    # The dashboard's cards and rows: pieces each escaped by format_html, joined; a piece that is
    # not escaped is refused before the join (gongzhi/indicators/rendering.py, _join; tested).
    ("indicators/rendering.py", 'mark_safe("".join(parts))'),
}
UNESCAPED = re.compile(r"\|safe\b|\|safeseq\b|autoescape\s+off|mark_safe\(|SafeString\(")


def test_no_user_supplied_html_is_rendered_unescaped():
    """Django escapes everything by default; turning it off needs a reason written above."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".html", ".txt", ".py"} or "tests" in path.parts or not path.is_file():
            continue
        relative = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in UNESCAPED.finditer(line):
                if match.group(0) == "mark_safe(" and "def " in line:
                    continue
                if not any(relative == allowed and text in line for allowed, text in UNESCAPED_ALLOWED):
                    found.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert not found, f"unescaped output needs a reason and an entry in UNESCAPED_ALLOWED: {found}"
