"""shiftwork's engine, one subpackage per pipeline stage:

language → schedule → events → plan → execute → dispatch, and cli on top. A stage imports only
earlier stages (tests/unit/test_layout.py checks it); docs/architecture.md draws the pipeline.
"""
