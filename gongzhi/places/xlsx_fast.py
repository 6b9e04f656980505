"""A fast reader of cell values from an .xlsx sheet, for the flats import.

openpyxl builds an object for every cell and looks at its style; an import of ten thousand rows
spends most of its time there. The import needs only values, so this reads the sheet's XML with
expat directly: shared strings, inline strings, numbers, booleans and cached formula results.
Anything unexpected raises ``UnsupportedWorkbook`` and the caller falls back to openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.parsers import expat

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class UnsupportedWorkbook(Exception):
    pass


def _parser():
    # Namespace-aware; element names arrive as "namespace localname".
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    return parser


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _sheet_path(archive: zipfile.ZipFile, title: str) -> tuple[str, str | None]:
    """The path of the sheet named ``title`` (else the first sheet) and of the shared strings."""
    sheets: list[tuple[str, str]] = []
    rels: dict[str, tuple[str, str]] = {}

    def on_workbook(name, attrs):
        if _local(name) == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(f"{REL_NS} id", "")))

    def on_rels(name, attrs):
        if _local(name) == "Relationship":
            rels[attrs["Id"]] = (attrs.get("Type", ""), attrs["Target"])

    parser = _parser()
    parser.StartElementHandler = on_workbook
    parser.Parse(archive.read("xl/workbook.xml"), True)
    parser = _parser()
    parser.StartElementHandler = on_rels
    parser.Parse(archive.read("xl/_rels/workbook.xml.rels"), True)
    if not sheets:
        raise UnsupportedWorkbook("no sheet")

    def resolve(target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join("xl", target))

    chosen = next((rid for name, rid in sheets if name == title), sheets[0][1])
    shared = next((resolve(t) for kind, t in rels.values() if kind.endswith("/sharedStrings")), None)
    return resolve(rels[chosen][1]), shared


def _shared_strings(data: bytes) -> list[str]:
    strings: list[str] = []
    state = {"in_si": False, "in_t": False, "skip": 0, "parts": []}

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            state["in_si"], state["parts"] = True, []
        elif local in {"rPh", "phoneticPr"}:
            state["skip"] += 1  # phonetic guides are not part of the text
        elif local == "t" and state["in_si"] and not state["skip"]:
            state["in_t"] = True

    def end(name):
        local = _local(name)
        if local == "si":
            strings.append("".join(state["parts"]))
            state["in_si"] = False
        elif local in {"rPh", "phoneticPr"}:
            state["skip"] -= 1
        elif local == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            state["parts"].append(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return strings


def read_rows(file) -> list[list]:
    """Every row of the sheet as a list of values (None for empty cells), top to bottom."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnsupportedWorkbook(str(error)) from None
    with archive:
        try:
            sheet_path, shared_path = _sheet_path(archive, "房屋")
            shared = _shared_strings(archive.read(shared_path)) if shared_path in archive.namelist() else []
            data = archive.read(sheet_path)
        except (KeyError, expat.ExpatError) as error:
            raise UnsupportedWorkbook(str(error)) from None
    return _sheet_rows(data, shared)


def _sheet_rows(data: bytes, shared: list[str]) -> list[list]:
    rows: dict[int, dict[int, object]] = {}
    current: dict[int, object] | None = None
    cell = {"ref": None, "type": "n", "text": None, "collect": False, "row": 0, "col": -1}

    def start(name, attrs):
        nonlocal current
        local = _local(name)
        if local == "c":
            ref = attrs.get("r")
            if ref:
                match = _CELL_REF.fullmatch(ref)
                if match is None:
                    raise UnsupportedWorkbook(ref)
                cell["col"] = _column_index(match.group(1))
            else:
                cell["col"] += 1
            cell["type"] = attrs.get("t", "n")
            cell["text"] = None
        elif local in ("v", "t"):
            cell["collect"] = True
            if cell["text"] is None:
                cell["text"] = ""
        elif local == "row":
            number = int(attrs.get("r", cell["row"] + 1))
            cell["row"] = number
            cell["col"] = -1
            current = rows.setdefault(number, {})

    def end(name):
        local = _local(name)
        if local in ("v", "t"):
            cell["collect"] = False
        elif local == "c":
            text = cell["text"]
            if text is None or current is None:
                return
            kind = cell["type"]
            if kind == "s":
                value = shared[int(text)]
            elif kind in ("inlineStr", "str"):
                value = text
            elif kind == "b":
                value = text == "1"
            elif kind == "e":
                value = text
            elif kind == "n":
                if not text:
                    return  # a formula without a cached result
                value = float(text) if any(c in text for c in ".eE") else int(text)
            else:  # dates stored as ISO text (t="d") and anything newer: let openpyxl handle it
                raise UnsupportedWorkbook(kind)
            current[cell["col"]] = value

    def text(data):
        if cell["collect"]:
            cell["text"] += data

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise UnsupportedWorkbook(str(error)) from None
    if not rows:
        return []
    result = []
    for number in range(1, max(rows) + 1):
        values = rows.get(number, {})
        width = max(values) + 1 if values else 0
        result.append([values.get(i) for i in range(width)])
    return result
