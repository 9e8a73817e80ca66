"""EventBridge event patterns as rule syntax: checked the way EventBridge checks them, compiled once at load.

`compile_pattern(raw)` returns the compiled pattern (or None) and every problem with its path inside
the pattern, so `validate` can point at the operator's file:line:col. Matching a compiled pattern
against an event is the events stage's job (engine/events/patterns.py); this module only says what a
pattern means.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from shiftwork.engine.language.patternmodel import (CompiledPattern, Field, Node, Problem, Test, exact_strings,
                                                    with_branches, wildcard_regex)
from shiftwork.engine.language.suggest import did_you_mean

__all__ = ["CompiledPattern", "Field", "Node", "Problem", "Test", "compile_pattern", "compiled"]

OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr")
ANYTHING_BUT_FORMS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
LOWER_OPS, UPPER_OPS = (">", ">="), ("<", "<=")
NUMERIC_LIMIT = 5.0e9  # EventBridge matches numbers between -5.0e9 and 5.0e9 inclusive
# Top-level fields every AWS event carries as strings: a bare YAML number there never matches.
STRING_FIELDS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources")
# Event fields whose JSON type surprises (AWS documents them so): a YAML value of the other type never matches.
DETAIL_TYPES = {
    ("detail", "eventVersion"): ("string", "CloudTrail events"),
    ("detail", "backupSizeInBytes"): ("string", "AWS Backup job events"),
    ("detail", "isLocked"): ("string", "AWS Backup vault events"),
    ("detail", "CheckpointPercentage"): ("string", "Auto Scaling instance refresh events"),
    ("detail", "severity", "score"): ("number", "Amazon Macie findings"),
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Compiler:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: tuple[Any, ...], message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem(path, message, hint, key))

    def warn(self, path: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(path, message, hint, severity="warning"))

    def node(self, raw: Any, path: tuple[Any, ...]) -> Node | None:
        if not isinstance(raw, Mapping):
            self.error(path, f"a pattern is a mapping of field names, not {_kind(raw)}")
            return None
        if not raw:
            self.error(path, "an empty mapping matches nothing in EventBridge", "give at least one field or remove it")
            return None
        fields, ors = [], []
        for key, value in raw.items():
            at = path + (key,)
            if key == "$or":
                branches = self.or_branches(value, at)
                if branches is not None:
                    ors.append(branches)
            elif isinstance(value, Mapping):
                sub = self.node(value, at)
                fields.append(Field(key, None, sub, value) if sub is not None else None)
            elif isinstance(value, list):
                tests = self.leaf(value, at, top=path == ())
                fields.append(Field(key, tests, None, value) if tests is not None else None)
            else:
                shown = value if isinstance(value, str) else repr(value)
                self.error(at, f"a pattern value is a list of the values to match, not {_kind(value)}",
                           f"write [{shown}]" if value is not None and not isinstance(value, bool)
                           else f"write [{'null' if value is None else str(value).lower()}]")
                fields.append(None)
        if any(f is None for f in fields) or any(b is None for b in ors):
            return None
        return with_branches(tuple(fields), tuple(ors))  # type: ignore[arg-type]

    def or_branches(self, value: Any, at: tuple[Any, ...]) -> tuple[Node, ...] | None:
        if not isinstance(value, list) or len(value) < 2:
            given = f"{len(value)} branch" if isinstance(value, list) else _kind(value)
            self.error(at, f"'$or' takes a list of at least two patterns, not {given}",
                       "with one alternative, write its fields without '$or'")
            return None
        misplaced = [(i, key) for i, branch in enumerate(value) if isinstance(branch, Mapping)
                     for key in branch if key in OPERATORS]
        for i, key in misplaced:
            self.error(at + (i, key), f"'{key}' is an operator, not a field: a '$or' branch holds fields",
                       f"write {{field: [{{{key}: ...}}]}}", key=True)
        if misplaced:
            return None
        nodes = [self.node(branch, at + (i,)) for i, branch in enumerate(value)]
        return None if any(n is None for n in nodes) else tuple(nodes)  # type: ignore[misc]

    def leaf(self, values: list[Any], at: tuple[Any, ...], top: bool) -> tuple[Test, ...] | None:
        if not values:
            self.error(at, "an empty list matches nothing in EventBridge", "give at least one value")
            return None
        tests = []
        for i, value in enumerate(values):
            here = at + (i,)
            if isinstance(value, list):
                self.error(here, "a list inside a list is not a pattern value", "write the values in one list")
            elif isinstance(value, Mapping):
                tests.append(self.operator(value, here))
            else:
                self.typing_traps(at, here, value, top)
                tests.append(Test("equals", value))
        if any(t is None for t in tests) or len(tests) != len(values):
            return None
        return tuple(tests)  # type: ignore[arg-type]

    def typing_traps(self, at: tuple[Any, ...], here: tuple[Any, ...], value: Any, top: bool) -> None:
        """Warn where YAML reads a value as a type the AWS event never has there."""
        known = ("string", "every AWS event") if top and at[-1] in STRING_FIELDS else DETAIL_TYPES.get(at)
        if value == "null":
            self.warn(here, "the quoted text \"null\" matches the string null, not a JSON null",
                      "write null unquoted to match a null value")
        elif known and known[0] == "string" and not isinstance(value, str):
            self.warn(here, f"'{at[-1]}' is a string in {known[1]}, and YAML reads {_yaml_text(value)} as "
                            f"{_kind(value)}, so it never matches", f"quote it: \"{_yaml_text(value)}\"")
        elif known and known[0] == "number" and isinstance(value, str) and _looks_numeric(value):
            self.warn(here, f"'{at[-1]}' is a number in {known[1]}, so the quoted \"{value}\" never matches it",
                      f"write {value} unquoted")

    def operator(self, item: Mapping[str, Any], at: tuple[Any, ...]) -> Test | None:
        if not item:
            self.error(at, "an empty mapping is not a pattern value", f"use an operator: {', '.join(OPERATORS)}")
            return None
        unknown = [k for k in item if k not in OPERATORS]
        for key in unknown:
            self.error(at + (key,), f"unknown pattern operator '{key}'",
                       did_you_mean(key, OPERATORS) or f"operators: {', '.join(OPERATORS)}", key=True)
        if unknown:
            return None
        if len(item) > 1:
            ops = list(item)
            if "exists" in item:
                self.error(at + (ops[1],), "'exists' stands alone in its mapping, not beside "
                           + " or ".join(f"'{o}'" for o in ops if o != "exists"),
                           "put each test in its own {...} in the list", key=True)
            else:
                self.error(at + (ops[1],), f"one operator per mapping: '{ops[0]}' and '{ops[1]}' are together",
                           "put each test in its own {...} in the list", key=True)
            return None
        ((op, arg),) = item.items()
        return getattr(self, "op_" + op.replace("-", "_"))(arg, at + (op,))

    # -- one method per operator; `at` is the operand's path ---------------------------------------------------
    def string_operand(self, op: str, arg: Any, at: tuple[Any, ...]) -> bool:
        if isinstance(arg, str):
            return True
        self.error(at, f"'{op}' takes a string, not {_kind(arg)}",
                   f"quote it: \"{_yaml_text(arg)}\"" if _is_number(arg) or isinstance(arg, bool) else None)
        return False

    def op_prefix(self, arg: Any, at: tuple[Any, ...], op: str = "prefix") -> Test | None:
        if isinstance(arg, Mapping):
            if list(arg) != ["equals-ignore-case"]:
                self.error(at, f"'{op}' takes a string or {{equals-ignore-case: string}}",
                           did_you_mean(str(next(iter(arg), "")), ["equals-ignore-case"]))
                return None
            inner = arg["equals-ignore-case"]
            if not self.string_operand(f"{op}: equals-ignore-case", inner, at + ("equals-ignore-case",)):
                return None
            return Test(op, inner.lower(), ignore_case=True)
        return Test(op, arg) if self.string_operand(op, arg, at) else None

    def op_suffix(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        return self.op_prefix(arg, at, "suffix")

    def op_equals_ignore_case(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        return Test("equals-ignore-case", arg.lower()) if self.string_operand("equals-ignore-case", arg, at) else None

    def op_wildcard(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        if not self.string_operand("wildcard", arg, at):
            return None
        regex = wildcard_regex(arg)
        if isinstance(regex, str):
            self.error(at, regex, "one '*' matches any run of characters" if "consecutive" in regex
                       else "escape a literal '*' as '\\*' and a literal '\\' as '\\\\'")
            return None
        return Test("wildcard", arg, regex=regex)

    def op_exists(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        if isinstance(arg, bool):
            return Test("exists", arg)
        self.error(at, f"'exists' takes true or false, not {_kind(arg)} {arg!r}",
                   "write exists: true (the field is there) or exists: false (it is not)")
        return None

    def op_cidr(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        if not self.string_operand("cidr", arg, at):
            return None
        if "/" not in arg:
            self.error(at, f"cidr '{arg}' has no prefix length", f"write e.g. {arg}/32 for one address")
            return None
        address, _, length = arg.partition("/")
        try:
            top = ipaddress.ip_address(address).max_prefixlen
        except ValueError:
            self.error(at, f"cidr '{arg}': '{address}' is not an IPv4 or IPv6 address",
                       "write e.g. 10.0.0.0/24 or 2001:db8::/32")
            return None
        if not length.isdigit() or int(length) > top:
            self.error(at, f"cidr '{arg}': the prefix length must be 0 to {top}")
            return None
        network = ipaddress.ip_network(arg, strict=False)
        return Test("cidr", arg, network=network)

    def op_numeric(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        form = "write e.g. [\">\", 0] or [\">=\", 0, \"<\", 10]"
        if DETAIL_TYPES.get(at[:-2], ("",))[0] == "string":
            self.warn(at, f"'{at[-3]}' is a string in {DETAIL_TYPES[at[:-2]][1]}, and 'numeric' matches only "
                          "numbers, so it never matches", "compare the text instead (anything-but, prefix)")
        if not isinstance(arg, list) or len(arg) not in (2, 4):
            self.error(at, "'numeric' takes [operator, number] or [lower operator, number, upper operator, number]",
                       form)
            return None
        ok = True
        for i in range(0, len(arg), 2):
            op, num = arg[i], arg[i + 1]
            if op not in NUMERIC_OPS:
                self.error(at + (i,), f"unknown numeric operator {op!r}",
                           (did_you_mean(op, NUMERIC_OPS) if isinstance(op, str) else None)
                           or f"use one of {', '.join(NUMERIC_OPS)}")
                ok = False
            if not _is_number(num):
                self.error(at + (i + 1,), f"numeric operand must be a number, not {_kind(num)}",
                           f"write {num}" if isinstance(num, str) and _looks_numeric(num) else None)
                ok = False
            elif abs(num) > NUMERIC_LIMIT:
                self.error(at + (i + 1,), f"numeric operand {num!r} is outside -5.0e9..5.0e9, "
                                          "the range EventBridge compares")
                ok = False
        if not ok:
            return None
        if len(arg) == 4:
            if arg[0] not in LOWER_OPS or arg[2] not in UPPER_OPS:
                self.error(at, "a numeric range is a lower bound then an upper bound", form)
                return None
            if arg[1] >= arg[3]:
                self.error(at + (3,), f"the range's lower bound {arg[1]!r} is not below its upper bound {arg[3]!r}")
                return None
        return Test("numeric", bounds=tuple((arg[i], arg[i + 1]) for i in range(0, len(arg), 2)))

    def op_anything_but(self, arg: Any, at: tuple[Any, ...]) -> Test | None:
        if isinstance(arg, Mapping):
            return self.anything_but_form(arg, at)
        values = arg if isinstance(arg, list) else [arg]
        if not values:
            self.error(at, "'anything-but' with an empty list excludes nothing", "give at least one value")
            return None
        excluded = []
        for i, value in enumerate(values):
            here = at + (i,) if isinstance(arg, list) else at
            if isinstance(value, str) or _is_number(value):
                excluded.append(Test("equals", value))
            else:
                self.error(here, f"'anything-but' takes strings or numbers, not {_kind(value)}")
        if len(excluded) != len(values):
            return None
        if len({isinstance(v, str) for v in values}) > 1:
            self.error(at, "'anything-but' takes a list of strings or a list of numbers, not both",
                       "use two tests or one type")
            return None
        return Test("anything-but", excluded=tuple(excluded))

    def anything_but_form(self, arg: Mapping[str, Any], at: tuple[Any, ...]) -> Test | None:
        if len(arg) != 1:
            self.error(at, f"'anything-but' takes one of {', '.join(ANYTHING_BUT_FORMS)}"
                           + (f", not {len(arg)} together" if arg else ""))
            return None
        ((op, operand),) = arg.items()
        if op == "anything-but":
            self.error(at + (op,), "'anything-but' cannot be nested", "a double negation: write the values", key=True)
            return None
        if op not in ANYTHING_BUT_FORMS:
            self.error(at + (op,), f"'anything-but' does not take '{op}'",
                       did_you_mean(op, ANYTHING_BUT_FORMS) or f"it takes {', '.join(ANYTHING_BUT_FORMS)}",
                       key=True)
            return None
        operands = operand if isinstance(operand, list) else [operand]
        if not operands:
            self.error(at + (op,), f"'anything-but: {op}' with an empty list excludes nothing")
            return None
        if op in ("prefix", "suffix") and "" in operands:
            self.error(at + (op,), f"'anything-but: {op}' with an empty string would exclude every value")
            return None
        compile_one = getattr(self, "op_" + op.replace("-", "_"))
        tests = [compile_one(v, at + (op, i) if isinstance(operand, list) else at + (op,))
                 if not isinstance(v, Mapping) else self._no_mapping(op, at + (op,)) for i, v in enumerate(operands)]
        if any(t is None for t in tests):
            return None
        return Test("anything-but", excluded=tuple(tests))

    def _no_mapping(self, op: str, at: tuple[Any, ...]) -> None:
        self.error(at, f"'anything-but: {op}' takes a string or a list of strings")
        return None


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "null" if value is None else str(value)


def compile_pattern(raw: Any) -> tuple[CompiledPattern | None, list[Problem]]:
    """The compiled pattern (None when it has errors) and every problem found, errors and warnings."""
    compiler = _Compiler()
    root = compiler.node(raw, ())
    if root is None or any(p.severity == "error" for p in compiler.problems):
        return None, compiler.problems
    return CompiledPattern(root, exact_strings(root, "source"), exact_strings(root, "detail-type")), compiler.problems


def compiled(raw: Any) -> CompiledPattern:
    """Compile a pattern known to be valid (built-in sugar, tests); raise ValueError on the first error."""
    result, problems = compile_pattern(raw)
    if result is None:
        first = next(p for p in problems if p.severity == "error")
        raise ValueError(f"invalid event pattern at {list(first.path)}: {first.message}")
    return result
