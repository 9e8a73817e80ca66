"""A simulation as ONE self-contained HTML file: the fleet overview, then a week-by-hour calendar per rule.

Python computes every cell (inside/outside/partly, DST-missing hours, firings, holidays) into an
embedded JSON block; a small inline script draws the tables, and the event list is plain HTML so the
page still says what happens without scripts.
"""
from __future__ import annotations

import html
import json
from datetime import date, datetime, timedelta
from typing import Any

from shiftwork.engine.schedule.simulate import FIRE, PHASE, SUPPRESSED, Simulation, Timeline, render_text
from shiftwork.engine.schedule.simulate_overview import STYLE as OVERVIEW_STYLE, overlap, overview_html
from shiftwork.engine.schedule.walltime import local, resolve

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin:1.6em 0 .3em}
.meta{color:#555;margin:0 0 .5em}
table.week{border-collapse:collapse;margin:.4em 0 1em;font-size:11px}
table.week th{font-weight:normal;padding:2px 4px;color:#444}
table.week th.day{min-width:5.5em}
table.week th.holiday{background:#fde2e1;color:#9b1c1c}
table.week th.holiday .hol{display:block;font-size:10px}
td.cell{width:5.5em;height:14px;border:1px solid #fff;text-align:center;font-size:10px}
td.in{background:#2e9e5b;color:#fff}td.part{background:linear-gradient(90deg,#2e9e5b 50%,#dfe7e2 50%)}
td.out{background:#e8ebe9}td.gap{background:repeating-linear-gradient(45deg,#fff,#fff 3px,#ccc 3px,#ccc 6px)}
td.none{background:#f7f7f7}td.off{background:transparent;border-color:transparent}
td.rep{box-shadow:inset 0 0 0 2px #7c3aed}
table.zoom td.cell{width:auto;min-width:2.4em}table.zoom th.rule{white-space:nowrap;text-align:left}
td.fire::after{content:"\\25CF";color:#c2410c;font-size:12px}
td.edge{outline:2px solid #1d4ed8;outline-offset:-2px}
.legend span{display:inline-block;margin-right:1.2em}
.legend i{display:inline-block;width:1.4em;height:1em;vertical-align:middle;margin-right:.3em;border:1px solid #ccc}
.warnings{background:#fff7e0;border:1px solid #e8c66a;padding:.5em 1em}
pre{background:#f5f5f5;padding:.6em;overflow:auto;font-size:12px}
"""

SCRIPT = """
(function(){
  var data = JSON.parse(document.getElementById('sim-data').textContent);
  function el(tag, cls, text){var e=document.createElement(tag); if(cls) e.className=cls;
    if(text!==undefined) e.textContent=text; return e;}
  data.rules.forEach(function(rule){
    var host = document.getElementById('cal-' + rule.id);
    if(!host) return;
    rule.weeks.forEach(function(week){
      var table = el('table', 'week'); table.setAttribute('data-week', week.start);
      var head = el('tr'); head.appendChild(el('th', '', ''));
      week.days.forEach(function(day){
        var th = el('th', 'day' + (day.holiday ? ' holiday' : ''), day.label);
        th.setAttribute('data-date', day.date);
        if(day.holiday){ th.title = day.holiday; th.appendChild(el('span', 'hol', day.holiday)); }
        head.appendChild(th);
      });
      var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
      var body = el('tbody');
      for(var h=0; h<24; h++){
        var tr = el('tr'); tr.appendChild(el('th', 'hour', (h<10?'0':'') + h + ':00'));
        week.days.forEach(function(day){
          var td = el('td'); cellFor(td, day.cells ? day.cells[h] : null, [['data-date', day.date], ['data-hour', h]]);
          tr.appendChild(td);
        });
        body.appendChild(tr);
      }
      table.appendChild(body); host.appendChild(table);
    });
  });
  function cellFor(td, cell, attrs){  // class first, then the data attributes, then the tooltip
    td.className = 'cell ' + (cell ? cell[0] : 'off');
    attrs.forEach(function(a){ td.setAttribute(a[0], a[1]); });
    if(cell && cell[1].length){ td.title = cell[1].join('\\n'); td.className += cell[2] ? ' fire' : ' edge'; }
  }
  function zoom(date){  // the overview's day, hour by hour: one row per rule, one column per local hour
    var host = document.getElementById('zoom'); if(!host) return; host.innerHTML = '';
    host.appendChild(el('h2', '', 'Hours of ' + date + ' (each rule in its own timezone)'));
    var table = el('table', 'week zoom'); table.setAttribute('data-date', date);
    var head = el('tr'); head.appendChild(el('th', '', 'rule'));
    for(var h=0; h<24; h++) head.appendChild(el('th', 'hour', (h<10?'0':'') + h));
    var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
    var body = el('tbody');
    data.rules.forEach(function(rule){
      var tr = el('tr'); tr.setAttribute('data-rule', rule.name);
      var name = el('th', 'rule'); var a = el('a', '', rule.name); a.href = '#rule-' + rule.id;
      name.appendChild(a); tr.appendChild(name);
      var day = null;
      rule.weeks.forEach(function(w){ w.days.forEach(function(d){ if(d.date === date) day = d; }); });
      for(var h=0; h<24; h++){
        var td = el('td'); cellFor(td, day && day.cells ? day.cells[h] : null, [['data-hour', h]]);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    });
    table.appendChild(body); host.appendChild(table);
  }
  document.querySelectorAll('#overview th.day').forEach(function(th){
    th.addEventListener('click', function(){ location.hash = 'day-' + th.getAttribute('data-date'); });
  });
  function openTarget(){
    if(location.hash.indexOf('#day-') === 0){ zoom(location.hash.slice(5)); return; }
    var t = location.hash && document.getElementById(location.hash.slice(1));
    var d = t && t.querySelector('details.weeks'); if(d) d.open = true; }
  window.addEventListener('hashchange', openTarget); openTarget();
  var ov = document.getElementById('overview');
  if(ov){ var r = ov.getBoundingClientRect();
    ov.setAttribute('data-bottom', Math.round(r.bottom + window.scrollY));
    ov.setAttribute('data-width', Math.round(r.width)); }
  document.body.setAttribute('data-rendered', 'yes');
})();
"""

LEGEND = [("in", "inside the window"), ("part", "inside for part of the hour (of the day, in the overview)"),
          ("out", "outside"), ("gap", "hour missing (DST change)"), ("rep", "hour repeated (DST change)"),
          ("none", "cron rule: no firing"), ("fire-day", "overview: firings that day")]


def _phase_state(tl: Timeline, starts: list[datetime], s: datetime, e: datetime) -> str:
    covered = overlap(tl.inside, starts, s, e) / (e - s).total_seconds()
    return "in" if covered >= 0.999 else "part" if covered > 0 else "out"


def _day_cells(tl: Timeline, d: date, marks: dict[tuple[date, int], list[str]],
               fires: set[tuple[date, int]]) -> list[list[Any]]:
    tz, starts = tl.rule.timezone, [s for s, _ in tl.inside]
    cells: list[list[Any]] = []
    for h in range(24):
        s, e = resolve(tz, d, h * 60), resolve(tz, d, (h + 1) * 60)
        if e <= s:
            state = "gap"
        elif e - s > timedelta(hours=1):  # fall-back: this wall hour happens twice
            state = ("none" if tl.kind != "window" else _phase_state(tl, starts, s, e)) + " rep"
        elif tl.kind != "window":
            state = "none"
        else:
            state = _phase_state(tl, starts, s, e)
        cells.append([state, marks.get((d, h), []), (d, h) in fires])
    return cells


def rule_grid(tl: Timeline, first: date, last: date) -> list[dict[str, Any]]:
    """Monday-first weeks of 7 days x 24 local hours for one rule."""
    tz = tl.rule.timezone
    marks: dict[tuple[date, int], list[str]] = {}
    fires: set[tuple[date, int]] = set()
    holidays: dict[date, str] = {}
    for ev in tl.events:
        if ev.kind == SUPPRESSED and ev.day:
            holidays[ev.day] = f"{ev.reason} ({ev.calendar})"
            continue
        lt = local(ev.at, tz)
        key = (lt.date(), lt.hour)
        acts = ", ".join(ev.actions) or "-"
        what = f"fires: {acts}" if ev.kind == FIRE else f"-> {ev.phase}: {acts}"
        marks.setdefault(key, []).append(f"{lt:%H:%M %Z} {what}")
        if ev.kind == FIRE:
            fires.add(key)
    weeks = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        days = []
        for i in range(7):
            d = monday + timedelta(days=i)
            entry: dict[str, Any] = {"date": str(d), "label": f"{d:%a %d %b}", "holiday": holidays.get(d)}
            entry["cells"] = _day_cells(tl, d, marks, fires) if first <= d <= last and not tl.note else None
            days.append(entry)
        weeks.append({"start": str(monday), "days": days})
        monday += timedelta(days=7)
    return weeks


def _events_html(tl: Timeline) -> str:
    tz = tl.rule.timezone
    items = []
    for ev in tl.events:
        lt = local(ev.at, tz)
        if ev.kind == SUPPRESSED:
            text = ev.note
        elif ev.kind == PHASE:
            text = f"{lt:%Y-%m-%d %a %H:%M %Z} ({ev.at:%H:%M} UTC) -> {ev.phase}: {', '.join(ev.actions) or '-'}"
        else:
            text = f"{lt:%Y-%m-%d %a %H:%M %Z} ({ev.at:%H:%M} UTC) fires: {', '.join(ev.actions)}" + \
                (f" ({ev.note})" if ev.note else "")
        items.append(f'<li class="ev {ev.kind}">{html.escape(text)}</li>')
    return f'<details><summary>{len(items)} events</summary><ul>{"".join(items)}</ul></details>' if items else ""


def render_html(sim: Simulation) -> str:
    e = html.escape
    data = {"from": str(sim.first), "to": str(sim.last), "rules": []}
    sections = []
    for i, tl in enumerate(sim.timelines):
        rule = tl.rule
        data["rules"].append({"id": i, "name": rule.name, "weeks": rule_grid(tl, sim.first, sim.last)})
        meta = f"{tl.kind} rule on {rule.resource}, timezone {rule.timezone}, {rule.loc}"
        if tl.initial_phase:
            meta += f"; {tl.initial_phase} at the start"
        body = f'<p class="note">{e(tl.note)}</p>' if tl.note else \
            f'<details class="weeks"><summary>week view</summary><div class="cal" id="cal-{i}"></div></details>'
        sections.append(f'<section class="rule" id="rule-{i}" data-rule="{e(rule.name)}"><h2>{e(rule.name)}</h2>'
                        f'<p class="meta">{e(meta)}</p>{body}{_events_html(tl)}</section>')
    legend = "".join(f'<span><i class="sw {cls}"></i>{e(text)}</span>' for cls, text in LEGEND)
    warnings = ""
    if sim.warnings:
        warnings = '<div class="warnings"><strong>Warnings</strong><ul>' + "".join(
            f"<li>{e(str(w))}</li>" for w in sim.warnings) + "</ul></div>"
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shiftwork simulation {sim.first} .. {sim.last}</title>
<style>{STYLE}{OVERVIEW_STYLE}{_legend_css()}</style></head>
<body>
<h1>shiftwork simulation {sim.first} .. {sim.last}</h1>
<p class="meta">Whole local days in each rule's timezone. The overview has a row per rule and a column per
day (hover for details; DST days are marked, the missing and the repeated hour); a rule's name opens its
week view, whose rows are local hours; a day's header zooms to its hours.</p>
<div class="legend">{legend}<span><i class="sw fire-mark">&#9679;</i>cron firing</span>
<span><i class="sw edge-mark"></i>phase change in this hour</span>
<span><i class="sw holiday-mark"></i>day removed by a calendar</span></div>
{warnings}
{overview_html(sim)}
<div id="zoom"></div>
{''.join(sections)}
<noscript><pre>{e(render_text(sim))}</pre></noscript>
<script type="application/json" id="sim-data">{payload}</script>
<script>{SCRIPT}</script>
</body></html>
"""


def _legend_css() -> str:
    colours = {"in": "#2e9e5b", "part": "linear-gradient(90deg,#2e9e5b 50%,#dfe7e2 50%)", "out": "#e8ebe9",
               "gap": "repeating-linear-gradient(45deg,#fff,#fff 3px,#ccc 3px,#ccc 6px)", "none": "#f7f7f7",
               "holiday-mark": "#fde2e1", "edge-mark": "#fff", "fire-day": "#fed7aa",
               "rep": "#fff;box-shadow:inset 0 0 0 2px #7c3aed"}
    css = "".join(f".legend i.sw.{k}{{background:{v}}}" for k, v in colours.items())
    return css + ".legend i.sw.edge-mark{outline:2px solid #1d4ed8;outline-offset:-2px}" \
                 ".legend i.sw.fire-mark{color:#c2410c;font-style:normal;text-align:center;border:0}"
