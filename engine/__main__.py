"""`python -m shiftwork.engine` runs the shiftwork CLI."""
from shiftwork.engine.cli.main import main

raise SystemExit(main())
