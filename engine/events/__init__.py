"""Stage 3, the trigger: which rules fire for a tick or an event.

Owns normalising every delivery shape to EventBridge's (shapes), EventBridge pattern matching
(patterns), and deciding for a tick or an event which rules fire (trigger).

Hands on: per rule, a `Decision` and the normalised event, to the plan stage.
"""
