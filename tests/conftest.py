"""Tests load rules as the entry points do: with the handlers registered."""
import shiftwork.handlers  # noqa: F401
