"""The holidays package, one country at a time: importing any country otherwise imports all ~250 of them.

`holidays.countries/__init__.py` imports every country module (≈70 ms and 8 MB at a cold start). Country
codes come from `holidays.registry` (plain data), and a country's module is imported on its own: the
`holidays.countries` package is registered without running its `__init__`, its names resolved lazily.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import lru_cache
from typing import Any

PACKAGE = "holidays.countries"


@lru_cache(maxsize=1)
def _modules() -> dict[str, tuple[str, str]]:
    """Country code (ISO alpha-2 or -3, or an alias such as UK) -> (module, class name)."""
    from holidays.registry import COUNTRIES

    return {code: (module, names[0]) for module, names in COUNTRIES.items()
            for code in names[1:] if 2 <= len(code) <= 3}  # the codes list_supported_countries gives


def country_codes() -> frozenset[str]:
    return frozenset(_modules())


def _package() -> Any:
    """`holidays.countries`, without the imports of its `__init__` when it has not run yet."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None:
            raise ImportError(PACKAGE)
        package = importlib.util.module_from_spec(spec)
        package.__getattr__ = _lazy_name  # type: ignore[attr-defined]  # `from holidays.countries import X` still works
        sys.modules[PACKAGE] = package
    return sys.modules[PACKAGE]


def _lazy_name(name: str) -> Any:
    """A name of `holidays.countries` (a class or code), from the one module that defines it."""
    from holidays.registry import COUNTRIES

    for module, names in COUNTRIES.items():
        if name in names:
            return getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
    raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")


def country_class(code: str) -> Any:
    """The holidays class of one country, importing that country's module (and what it needs) only."""
    module, name = _modules()[code]
    _package()
    return getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)


def subdivisions(code: str) -> list[str]:
    return list(country_class(code).subdivisions)
