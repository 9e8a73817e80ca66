"""Stage 2, time: what a rule's schedule says at an instant, DST-correct in its zone.

Owns wall time (walltime), cron occurrences (cron), window intervals and phases (windows), holiday and
date calendars (calendars), the evaluation of one tick for one rule (evaluate), conflicts between rules,
and `simulate` with its HTML calendar.

Hands on: `Decision` (engine.schedule.evaluate) — fire or not, in which phase, what was missed — to
the trigger stage.
"""
