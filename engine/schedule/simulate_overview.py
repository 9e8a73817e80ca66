"""The fleet overview of a simulation: one row per rule, one column per day, as static HTML.

It is what the calendar opens on, so it must fit a screen: 50 rules over four weeks at 1,400 px wide.
Each cell is the rule's day (inside, partly, outside, firings, removed by a calendar); the header marks
holidays and DST days, the missing hour and the repeated hour both. The rule's name links to its week
view below. Plain HTML and CSS: it shows without scripts.
"""
from __future__ import annotations

import html
from bisect import bisect_right
from datetime import date, datetime, timedelta

from shiftwork.engine.schedule.simulate import FIRE, PHASE, SUPPRESSED, Simulation, Timeline
from shiftwork.engine.schedule.walltime import local, resolve

HOUR = timedelta(hours=1)
IN, OUT = "#2e9e5b", "#e8ebe9"

STYLE = """
table.overview{border-collapse:collapse;font-size:11px;margin:.4em 0 1em;table-layout:fixed}
table.overview th{font-weight:normal;color:#444;padding:1px 2px}
table.overview th.rule{text-align:left;max-width:15em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table.overview th.day{width:2.6em;line-height:1.1;cursor:zoom-in}
table.overview th.day.weekend{color:#888}
table.overview th.day.holiday{background:#fde2e1;color:#9b1c1c}
table.overview th.day.dst{box-shadow:inset 0 -3px #7c3aed}
table.overview th.day .mark{display:block;font-size:9px;color:#7c3aed}
table.overview td{height:15px;border:1px solid #fff;text-align:center;font-size:10px;padding:0}
td.o-in{background:#2e9e5b}td.o-part{background:linear-gradient(90deg,#2e9e5b 50%,#dfe7e2 50%)}
td.o-out{background:#e8ebe9}td.o-fire{background:#fed7aa;color:#9a3412}td.o-none{background:#f7f7f7}
td.o-hol{background:#fde2e1}td.o-event{background:repeating-linear-gradient(45deg,#f7f7f7,#f7f7f7 3px,#e5e7eb 3px,
#e5e7eb 6px)}td.o-off{background:transparent}
td.o-dst{outline:2px solid #7c3aed;outline-offset:-2px}
"""


def overlap(inside: tuple[tuple[datetime, datetime], ...], starts: list[datetime], s: datetime,
             e: datetime) -> float:
    """Seconds of [s, e) covered by the sorted, disjoint `inside` intervals."""
    total, i = 0.0, max(bisect_right(starts, s) - 1, 0)
    while i < len(inside) and inside[i][0] < e:
        lo, hi = max(inside[i][0], s), min(inside[i][1], e)
        if hi > lo:
            total += (hi - lo).total_seconds()
        i += 1
    return total


def dst_change(tz: str, day: date) -> tuple[str, int] | None:
    """('missing' | 'repeated', local hour) when the clocks change in `tz` on `day`, else None."""
    length = resolve(tz, day + timedelta(days=1), 0) - resolve(tz, day, 0)
    if length == timedelta(days=1):
        return None
    for h in range(24):
        span = resolve(tz, day, (h + 1) * 60) - resolve(tz, day, h * 60)
        if span < HOUR:
            return ("missing", h)
        if span > HOUR:
            return ("repeated", h)
    return ("missing" if length < timedelta(days=1) else "repeated", 0)  # a change not on an hour boundary


def _days(sim: Simulation) -> list[date]:
    return [sim.first + timedelta(days=n) for n in range((sim.last - sim.first).days + 1)]


def _cell(tl: Timeline, day: date, fires: dict[date, int], changes: dict[date, list[str]],
          off_days: dict[date, str]) -> tuple[str, str, str]:
    """(css state, text in the cell, tooltip) for one rule on one local day."""
    tz = tl.rule.timezone
    if tl.note:
        return "event" if tl.kind in ("event", "alarm") else "off", "", tl.note
    if day in off_days:
        return "hol", "", f"{off_days[day]}: window removed"
    if tl.kind != "window":
        n = fires.get(day, 0)
        return ("fire" if n else "none"), (str(n) if n else ""), f"{n} firing{'' if n == 1 else 's'}"
    start, end = resolve(tz, day, 0), resolve(tz, day + timedelta(days=1), 0)
    covered = overlap(tl.inside, [s for s, _ in tl.inside], start, end)
    share = covered / (end - start).total_seconds()
    state = "in" if share >= 0.999 else "part" if share > 0 else "out"
    hours = covered / 3600
    tip = f"inside {hours:.1f} h".replace(".0 h", " h") + (f"; {', '.join(changes[day])}" if day in changes else "")
    return state, "", tip


def part_style(tl: Timeline, day: date) -> str:
    """Where in the day the window is open, drawn across the cell (08:00-19:00 is the middle half)."""
    tz = tl.rule.timezone
    start, end = resolve(tz, day, 0), resolve(tz, day + timedelta(days=1), 0)
    span = (end - start).total_seconds()
    stops = []
    for s, e in tl.inside:
        lo, hi = max(s, start), min(e, end)
        if hi > lo:
            a, b = (lo - start).total_seconds() / span * 100, (hi - start).total_seconds() / span * 100
            stops.append(f"{OUT} {a:.0f}%,{IN} {a:.0f}%,{IN} {b:.0f}%,{OUT} {b:.0f}%")
    return f' style="background:linear-gradient(90deg,{",".join(stops)})"' if stops else ""


def overview_html(sim: Simulation) -> str:
    """The overview table; rule i's name links to #rule-i."""
    e = html.escape
    days = _days(sim)
    holidays: dict[date, set[str]] = {}
    dst: dict[date, list[str]] = {}
    for tz in sorted({tl.rule.timezone for tl in sim.timelines}):
        for day in days:
            if (change := dst_change(tz, day)) is not None:
                kind, hour = change
                dst.setdefault(day, []).append(f"{tz}: {hour:02d}:00-{hour + 1:02d}:00 {kind}")
    rows = []
    for i, tl in enumerate(sim.timelines):
        tz = tl.rule.timezone
        fires: dict[date, int] = {}
        changes: dict[date, list[str]] = {}
        off_days: dict[date, str] = {}
        for ev in tl.events:
            if ev.kind == SUPPRESSED and ev.day:
                off_days[ev.day] = f"{ev.reason} ({ev.calendar})"
                holidays.setdefault(ev.day, set()).add(off_days[ev.day])
                continue
            lt = local(ev.at, tz)
            if ev.kind == FIRE:
                fires[lt.date()] = fires.get(lt.date(), 0) + 1
            elif ev.kind == PHASE:
                changes.setdefault(lt.date(), []).append(f"{lt:%H:%M} {ev.phase}")
        cells = []
        for day in days:
            state, text, tip = _cell(tl, day, fires, changes, off_days)
            change = dst_change(tz, day)
            cls = f"o-{state}" + (" o-dst" if change else "")
            if change:
                tip += f"; {change[0]} hour {change[1]:02d}:00 ({tz})"
            style = part_style(tl, day) if state == "part" else ""
            cells.append(f'<td class="{cls}" data-date="{day}"{style} title="{e(f"{tl.rule.name} {day}: {tip}")}">'
                         f'{e(text)}</td>')
        rows.append(f'<tr data-rule="{e(tl.rule.name)}"><th class="rule"><a href="#rule-{i}" '
                    f'title="{e(tl.rule.name)} ({e(tz)})">{e(tl.rule.name)}</a></th>{"".join(cells)}</tr>')
    head = []
    for day in days:
        cls = "day" + (" weekend" if day.weekday() >= 5 else "") + (" holiday" if day in holidays else "") \
            + (" dst" if day in dst else "")
        tips = sorted(holidays.get(day, ())) + dst.get(day, [])
        mark = '<span class="mark">DST</span>' if day in dst else ""
        title = f' title="{e("; ".join(tips))}"' if tips else ""
        head.append(f'<th class="{cls}" data-date="{day}"{title}>{day:%a}<br>{day.day}{mark}</th>')
    return (f'<table class="overview" id="overview"><thead><tr><th class="rule">rule</th>{"".join(head)}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table>')
