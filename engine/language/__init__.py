"""Stage 1, the rule language: rule files read and checked, handed on as a RuleSet.

Owns YAML with locations (yamldoc), loading files and directories (loader), building the frozen model
(build, model), the JSON Schema and its error messages (schema, schemaerrors), the registry of resource
types and actions, the checks a schema cannot express (actioncheck, calendarcheck, timecheck), and the
sub-grammars of a rule: cron expressions (cronexpr), windows (windowexpr), durations, regions. Every
diagnostic carries file:line:col and a did-you-mean (suggest).

Hands on: `RuleSet` (engine.language.model) to the schedule and event stages.
"""
