"""The command line: argument parsing (main), one module per command (commands/), reports (report),
and the demo with its embedded AWS (demo_fleet, embedded). An entry point: it loads the handlers."""
