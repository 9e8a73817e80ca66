"""Documentation examples are rule files too: every complete example must load, and the reference must
cover every action, option and resource type in the registry."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from shiftwork.engine.language.loader import load
from shiftwork.engine.language.registry import registered

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(ROOT.glob("docs/*.md")) + [p for p in [ROOT / "README.md"] if p.exists()]
REFERENCE = ROOT / "docs" / "rules.md"
FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)


def is_rule_file(block: str) -> bool:
    """A block whose first line that is not blank or a comment is `version: 1` is a complete file."""
    for line in block.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip() == "version: 1"
    return False


def examples() -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for m in FENCE.finditer(text):
            if is_rule_file(m.group(1)):
                line = text.count("\n", 0, m.start()) + 2  # first line inside the fence
                found.append((str(doc.relative_to(ROOT)), line, m.group(1)))
    return found


EXAMPLES = examples()


def test_extraction_finds_the_reference_examples() -> None:
    assert len([e for e in EXAMPLES if e[0] == "docs/rules.md"]) >= 20


def test_extraction_rules() -> None:
    text = "x\n```yaml\n# comment\nversion: 1\nrules: []\n```\n```yaml\non: {cron: x}\n```\n```text\nversion: 1\n```\n"
    blocks = [m.group(1) for m in FENCE.finditer(text)]
    assert blocks == ["# comment\nversion: 1\nrules: []\n", "on: {cron: x}\n"]
    assert [is_rule_file(b) for b in blocks] == [True, False]


@pytest.mark.parametrize("doc,line,block", EXAMPLES, ids=[f"{d}:{n}" for d, n, _ in EXAMPLES])
def test_example_loads(doc: str, line: int, block: str, tmp_path: Path) -> None:
    path = tmp_path / f"{Path(doc).stem}-line-{line}.yaml"
    path.write_text(block)
    load([str(path)])  # raises RuleErrors, naming the file and line, when the example is wrong


def sections(text: str) -> dict[str, str]:
    """Each '### `name`' section's text, by name."""
    parts = re.split(r"^### `([^`]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n## ", 1)[0] for i in range(1, len(parts), 2)}


def test_reference_has_a_section_per_action_naming_every_option() -> None:
    registry = registered()
    by_name = sections(REFERENCE.read_text())
    missing = sorted(set(registry.actions) - set(by_name))
    assert missing == [], f"docs/rules.md has no '### `name`' section for {missing}"
    for name, spec in registry.actions.items():
        undocumented = [opt for opt in spec.options if f"`{opt}`" not in by_name[name]]
        assert undocumented == [], f"docs/rules.md, section {name}: options not described: {undocumented}"


def test_reference_action_table_lists_every_action() -> None:
    text = REFERENCE.read_text()
    rows = re.findall(r"^\| \[`([^`]+)`\]\(#", text, flags=re.M)
    assert sorted(rows) == sorted(registered().actions)


def test_reference_names_every_resource_type_with_its_match_fields() -> None:
    text = REFERENCE.read_text()
    for name, spec in registered().resources.items():
        row = re.search(rf"^\| `{re.escape(name)}` \| ([^|]+) \|", text, flags=re.M)
        assert row, f"docs/rules.md: no row for resource type {name}"
        assert sorted(re.findall(r"`(\w+)`", row.group(1))) == sorted(spec.match)
