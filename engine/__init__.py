"""shiftwork engine: load, validate, time, select, plan, execute, dispatch."""
