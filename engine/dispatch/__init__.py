"""Stage 6, dispatch: one trigger through every rule, in isolation, with state.

Owns the runner (evaluate, plan, execute each rule for a trigger), the dispatcher (tick lock,
watermarks, cooldowns, idempotency, deferral), state stores (memory, file, DynamoDB), EMF metrics and
the Lambda entry point (lambda_handler).

Hands on: `RuleOutcome`s (engine.dispatch.runner) to the CLI's reports and the Lambda's logs.
"""
