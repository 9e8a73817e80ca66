"""Load rule files (a file, a directory, several paths) into a RuleSet, or every error at once."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiftwork.engine.errors import Diagnostic, Loc, RuleErrors
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import registered
from shiftwork.engine.language.schema import build_schema
from shiftwork.engine.language.schemaerrors import schema_diagnostics
from shiftwork.engine.language.gcpause import gc_paused
from shiftwork.engine.language.yamldoc import MAX_FILE_BYTES, Document, YamlError, parse

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

RULE_SUFFIXES = (".yaml", ".yml")
# Beside packaged rules: {"format": 1, "sha256": rules_digest(...)} of rule files that passed the schema.
VALIDATED_FILE = "shiftwork-validated.json"


@dataclass
class Checked:
    """The outcome of loading: a RuleSet when there are no errors, and every diagnostic."""

    ruleset: RuleSet | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[Diagnostic]]:
    files: list[str] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(str(p) for p in path.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())
            if not found:
                below = sorted(str(p) for p in path.iterdir() if p.is_dir() and any(
                    q.suffix in RULE_SUFFIXES for q in p.iterdir()))  # `rules/` holding `examples/`, say
                hint = f"subdirectories are not read; give {' or '.join(below[:3])}" if below else None
                problems.append(Diagnostic(Loc(raw), "no rule files (*.yaml, *.yml) in this directory", hint=hint))
            files.extend(found)
        elif path.is_file():
            files.append(str(path))
        elif path.exists():
            problems.append(Diagnostic(Loc(raw), "not a regular file or directory"))
        else:
            problems.append(Diagnostic(Loc(raw), "no such file or directory"))
    seen: set[str] = set()
    unique = [f for f in files if not (os.path.realpath(f) in seen or seen.add(os.path.realpath(f)))]
    return unique, problems


def read_document(file: str) -> Document:
    return decode_document(file, read_bytes(file))


def read_bytes(file: str) -> bytes:
    size = os.path.getsize(file)
    if size > MAX_FILE_BYTES:
        raise YamlError(Diagnostic(Loc(file), f"file too large ({size / 2**20:.1f} MB); rule files are limited "
                                              f"to {MAX_FILE_BYTES // 2**20} MB"))
    with open(file, "rb") as fh:
        return fh.read()


def decode_document(file: str, raw: bytes) -> Document:
    if b"\x00" in raw:
        raise YamlError(Diagnostic(Loc(file, 1, 1), "not a text file (contains NUL bytes); is this a rule file?"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(Diagnostic(Loc(file, line, 1), "not UTF-8 text; rule files must be UTF-8")) from None
    doc = parse(text, file)
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        raise YamlError(Diagnostic(doc.loc(()), f"the top level is {kind}; a rule file is a mapping with "
                                                "'version: 1' and 'rules:'"))
    return doc


_validator: Draft202012Validator | None = None
ACTION_KEYWORD = "x-shiftwork-action"


def _action_dispatch(validator: Draft202012Validator, table: dict[str, Any], instance: Any,
                     schema: dict[str, Any]) -> Iterator[Any]:
    """Validate an action item against its own type's branch only (same errors as the whole allOf).

    Rule sets repeat the same action items (`ec2.stop`, `{type: ecs.scale, desired: 0}`) many times;
    items already known to be valid are not validated again.
    """
    try:
        key = json.dumps(instance, sort_keys=True)
    except (TypeError, ValueError):
        key = None
    if key is not None and key in table["valid"]:
        return
    kind = instance.get("type") if isinstance(instance, dict) else None
    sub = table["by_type"].get(kind, table["all"]) if isinstance(kind, str) else table["all"]
    failed = False
    for error in validator.descend(instance, sub):
        failed = True
        yield error
    if key is not None and not failed and len(table["valid"]) < 10_000:
        table["valid"].add(key)


def _dispatching_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, with each action item checked against one if/then branch instead of every one.

    The published schema (rules/schema.json) keeps plain if/then for editors; an object whose `type`
    names an action can only satisfy that action's `if`, so skipping the other branches loses no error.
    """
    action = schema["$defs"]["action"]
    generic = [b for b in action["allOf"] if "properties" not in b["if"]]
    by_type = {b["if"]["properties"]["type"]["const"]: {**action, "allOf": generic + [b]}
               for b in action["allOf"] if "properties" in b["if"]}
    table = {"all": action, "by_type": by_type, "valid": set()}
    # A rule's match, trigger and actions repeat across a rule set too: each value known valid is not
    # validated again (no `type` to dispatch on: the whole subschema is checked, as before).
    rule = schema["$defs"]["rule"]
    memo = {name: {ACTION_KEYWORD: {"all": sub, "by_type": {}, "valid": set()}}
            for name, sub in rule["properties"].items() if name in ("match", "on", "during", "actions")}
    return {**schema, "$defs": {**schema["$defs"], "action": {ACTION_KEYWORD: table},
                                "rule": {**rule, "properties": {**rule["properties"], **memo}}}}


def schema_validator() -> Draft202012Validator:
    global _validator
    if _validator is None:
        from jsonschema import Draft202012Validator
        from jsonschema.validators import extend

        cls = extend(Draft202012Validator, {ACTION_KEYWORD: _action_dispatch})
        _validator = cls(_dispatching_schema(build_schema(registered())))
    return _validator


def rules_digest(files: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 of the rule language's schema and of each rule file's name (without its folder) and bytes, in
    load order: equal digests mean the schema pass would find what it found before."""
    digest = hashlib.sha256(json.dumps(build_schema(registered()), sort_keys=True).encode())
    for name, raw in files:
        digest.update(f"\0{os.path.basename(name)}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def validated_record(digest: str) -> bytes:
    """VALIDATED_FILE's content for rule files with `digest` (what the package writes beside them)."""
    return json.dumps({"format": 1, "sha256": digest}).encode() + b"\n"


def validated_digest(rules_dir: str) -> str | None:
    """The digest the package recorded beside its rules (VALIDATED_FILE), or None when there is none to trust."""
    try:
        with open(os.path.join(rules_dir, VALIDATED_FILE), encoding="utf-8") as fh:
            recorded = json.load(fh)
    except (OSError, ValueError):
        return None
    ok = isinstance(recorded, dict) and recorded.get("format") == 1 and isinstance(recorded.get("sha256"), str)
    return recorded["sha256"] if ok else None


RuleSetCheck = Callable[[RuleSet], list[Diagnostic]]


@gc_paused
def check_paths(paths: Sequence[str], *, checks: Sequence[RuleSetCheck] = (),
                on_file: Callable[[str, int], None] | None = None, validated: str | None = None) -> Checked:
    """Load and check everything; never raises for a user mistake.

    `checks` run on the whole rule set when it has no errors, and add their diagnostics: `validate` and
    `simulate` pass the conflict warnings of a later stage (engine.schedule.conflicts); `load` runs none,
    as no plan, run or Lambda cold start reads them. `on_file(file, total)` is called as each file is read
    (the CLI's progress line for a large rule set). `validated` is the digest of rule files that already
    passed the schema (`validated_digest`): when the files read have that digest, the schema pass (and the
    import of jsonschema) is skipped; the semantic checks always run. The RuleSet carries its digest.
    """
    from shiftwork.engine.language.build import build_ruleset  # the model builder runs the semantic checks

    files, problems = expand_paths(paths)
    read: list[tuple[str, bytes, Document]] = []
    docs: list[tuple[Document, set[tuple]]] = []
    schema_problems: list[Diagnostic] = []

    def schema_pass(doc: Document) -> None:
        found, bad_paths = schema_diagnostics(doc, schema_validator())
        schema_problems.extend(found)
        docs.append((doc, bad_paths))

    for file in files:
        if on_file is not None:
            on_file(file, len(files))
        try:
            raw = read_bytes(file)
            doc = decode_document(file, raw)
        except YamlError as exc:
            problems.append(exc.diagnostic)
            continue
        except OSError as exc:
            problems.append(Diagnostic(Loc(file), f"cannot read: {exc.strerror or exc}"))
            continue
        read.append((file, raw, doc))
        if validated is None:
            schema_pass(doc)  # file by file, as the progress line advances
    digest = rules_digest([(file, raw) for file, raw, _ in read]) if validated is not None or not problems else ""
    if validated is not None:
        trusted = not problems and digest == validated
        for _, _, doc in read:
            if trusted:
                docs.append((doc, set()))
            else:
                schema_pass(doc)
    ruleset, semantic = build_ruleset(docs)
    diagnostics = sorted(set(problems + schema_problems + semantic), key=Diagnostic.sort_key)
    has_errors = any(d.severity == "error" for d in diagnostics)
    if checks and not has_errors:
        diagnostics = sorted(diagnostics + [d for check in checks for d in check(ruleset)], key=Diagnostic.sort_key)
    return Checked(None if has_errors else dataclasses.replace(ruleset, digest=digest), diagnostics, files)


def load(paths: Sequence[str], *, validated: str | None = None) -> RuleSet:
    """Load rule files; raise RuleErrors (exit 2) listing every error. `validated`: see check_paths."""
    checked = check_paths(paths, validated=validated)
    if checked.ruleset is None:
        raise RuleErrors(checked.errors)
    return checked.ruleset
