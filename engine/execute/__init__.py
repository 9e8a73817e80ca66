"""Stage 5, execution: the only stage that writes to AWS.

Owns the one client factory with its retry config and read-only guard (aws), sessions and credentials
(session), the executor that batches, retries and reports per resource — and its dry-run twin
(executor) — and running one rule's plan, summaries last (execution).

Hands on: `Result` per change (engine.plan.changes) to the dispatch stage.
"""
