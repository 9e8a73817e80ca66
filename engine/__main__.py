"""`python -m engine` runs the shiftwork CLI."""
from engine.cli import main

raise SystemExit(main())
