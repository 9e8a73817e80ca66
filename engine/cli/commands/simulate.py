"""`shiftwork simulate PATH... --from DATE --to DATE`: what fires when, across DST and holidays."""
from __future__ import annotations

import re
import sys
from datetime import date, datetime, timezone

from shiftwork.engine.errors import EXIT_OK, RuleErrors, UsageError
from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.schedule.conflicts import find_conflicts
from shiftwork.engine.schedule.simulate import render_text, simulate, to_json_text
from shiftwork.engine.language.suggest import did_you_mean

MAX_DAYS = 366
MAX_CONFLICT_DAYS = 35  # conflicts are probed over the first five weeks of a long simulation


def register(sub) -> None:
    p = sub.add_parser("simulate", help="show what each rule would do, when, over a range of dates",
                       description="Every cron firing and window phase change in local and UTC time, and "
                                   "what calendars suppressed. Dates are local dates in each rule's timezone; "
                                   "--to is inclusive (the whole day).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day (inclusive), YYYY-MM-DD")
    p.add_argument("--rule", action="append", metavar="NAME", help="only this rule (repeatable)")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="text (default), JSON, or a self-contained HTML calendar (use --out)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        why = f" ({exc})" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) else ""  # 2027-02-30: say what is wrong
        raise UsageError(f"{option} {text!r} is not a date{why}; write YYYY-MM-DD, e.g. 2027-03-22") from None


def run(args) -> int:
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    if (last - first).days + 1 > MAX_DAYS:
        raise UsageError(f"--from {first} --to {last} is {(last - first).days + 1} days; simulate at most {MAX_DAYS} "
                         "days at a time")
    checked = check_paths(args.paths)  # conflicts are probed below, once, over the simulated dates
    if checked.ruleset is None:
        raise RuleErrors(checked.errors)
    known = [r.name for r in checked.ruleset.rules]
    for name in args.rule or ():
        if name not in known:
            raise UsageError(f"--rule: no rule named '{name}'" +
                             (f"; {hint}" if (hint := did_you_mean(name, known)) else
                              f"; rules: {', '.join(known[:20])}"))
    # conflicts are probed over the simulated dates (validate probes the coming days)
    warnings = list(checked.warnings)
    probe_start = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
    warnings += find_conflicts(checked.ruleset, probe_start, min((last - first).days + 2, MAX_CONFLICT_DAYS))
    if args.rule:  # only what concerns the rules asked about: their own warnings, or a conflict naming them
        warnings = [w for w in warnings if w.rule in args.rule or any(f"rule '{n}'" in w.message for n in args.rule)]
    sim = simulate(checked.ruleset, first, last, args.rule, warnings)
    if args.format == "json":
        text = to_json_text(sim) + "\n"
    elif args.format == "html":
        from shiftwork.engine.schedule.simulate_html import render_html

        text = render_html(sim)
    else:
        text = render_text(sim)
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot write it: {exc.strerror}") from None
        print(f"wrote {args.out} ({len(sim.timelines)} rule{'s' if len(sim.timelines) != 1 else ''})",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
