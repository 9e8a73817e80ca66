"""Rule files are read from libyaml's events without a node tree: the same data, locations and errors as composing."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shiftwork.engine.language.yamldoc import Document, YamlError, _parse_composed, _read_events, parse

ROOT = Path(__file__).resolve().parents[2]

PLAIN = """\
version: 1
timezone: Europe/London
plain: [1, -2, +3, 012, 0x1F, 0o17, 1.5, .5, 1e3, -.inf, .nan, true, True, TRUE, false, null, Null, ~, ""]
yaml11: [on, off, yes, no, y, n, 8:00, 2026-12-24, 2026-12-24T19:00:00Z, 1_000, 0b101, "="]
quoted: ['1', "true", 'null', "", '<<']
blocks:
  literal: |
    two
    lines
  folded: >
    one
    line
empty:
nested: {a: {b: [[1, {c: d}], []]}, e: {}}
"1": quoted key
2: plain number key
=: the value indicator as a key
'<<': a quoted merge-looking key
"""

UNUSUAL = {  # each is handed to the composer, which resolves or words it
    "anchor": "a: &x {k: 1}\nb: *x\n",
    "anchor on a scalar": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 123\nb: !!int '5'\nc: ! 7\n",
    "tagged mapping": "a: !!map {k: 1}\n",
    "merge key": "base: {k: 1}\nother: {<<: {k: 2}}\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "list key": "? [a, b]\n: 1\n",
    "second document": "a: 1\n---\nb: 2\n",
    "a list": "- a\n- b\n",
    "a scalar": "just text\n",
    "empty": "",
    "comment only": "# nothing\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "tab": "a:\n\t- b\n",
    "recursive": "a: &x [*x]\n",
}


def _outcome(read, text: str) -> tuple:
    """What a reader makes of a text: data (repr tells 1 from True), locations, or the error diagnostic."""
    try:
        doc: Document = read(text, "f.yaml")
    except YamlError as exc:
        return ("error", exc.diagnostic)
    return ("ok", repr(doc.data), doc.locs, doc.key_locs)


def _files() -> list[Path]:
    found = sorted((ROOT / "tests").rglob("*.yaml")) + sorted((ROOT / "rules" / "examples").glob("*.yaml"))
    assert len(found) > 50
    return found


def test_the_plain_document_is_read_from_events_as_the_composer_reads_it() -> None:
    assert _read_events(PLAIN, "f.yaml") is not None
    assert _outcome(parse, PLAIN) == _outcome(_parse_composed, PLAIN)


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_documents_go_to_the_composer(name: str) -> None:
    text = UNUSUAL[name]
    assert _read_events(text, "f.yaml") is None
    assert _outcome(parse, text) == _outcome(_parse_composed, text)


def test_every_rule_file_in_the_repository_reads_the_same() -> None:
    read = 0
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue  # the not-UTF-8 fixture: read_document stops before parsing
        if "\x00" in text:
            continue  # parse stops before reading
        read += _read_events(text, "f.yaml") is not None
        assert _outcome(parse, text) == _outcome(_parse_composed, text), path
    assert read > 50  # most files take the event path


def test_generated_rule_sets_read_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_load import generate  # the scaling bench's ten rule shapes

    generate(tmp_path, 200, 2)
    for path in sorted(tmp_path.iterdir()):
        text = path.read_text()
        assert _read_events(text, "f.yaml") is not None
        assert _outcome(parse, text) == _outcome(_parse_composed, text)
