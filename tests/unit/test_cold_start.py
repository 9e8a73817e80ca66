"""A cold start loads only what the rules use: no service model for region names, one holidays module per country."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import botocore.session

from shiftwork.engine.language.holidaydata import country_class, country_codes, subdivisions
from shiftwork.engine.language.regions import known_regions, unknown_region

ROOT = Path(__file__).resolve().parents[2]


def test_known_regions_cover_every_region_botocore_gives_ec2() -> None:
    session = botocore.session.get_session()
    ec2 = {r for p in session.get_available_partitions() for r in session.get_available_regions("ec2", p)}
    assert ec2 <= known_regions()
    assert {"eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1"} <= known_regions()
    assert unknown_region("eu-wst-1") is not None and unknown_region("eu-west-1") is None
    assert unknown_region("aws-global") is not None  # an endpoint name for global services, not a region


def test_country_codes_match_the_holidays_package() -> None:
    import holidays

    assert country_codes() == set(holidays.list_supported_countries())
    assert subdivisions("GB") == list(holidays.list_supported_countries()["GB"])
    assert country_class("UK").__name__ == "UnitedKingdom"


def test_loading_rules_imports_no_service_model_and_only_the_countries_used() -> None:
    """In a fresh interpreter, as in a Lambda cold start: load rules/examples (GB and US holidays)."""
    probe = """
import json, sys
import botocore.loaders
models = []
real = botocore.loaders.Loader.load_service_model
botocore.loaders.Loader.load_service_model = lambda self, name, *a, **k: models.append(name) or real(self, name, *a, **k)
import shiftwork.handlers
from shiftwork.engine.language.loader import load
from shiftwork.engine.schedule.calendars import public_holidays
ruleset = load(["rules/examples"])
assert public_holidays("GB", "ENG", 2027) and public_holidays("US", None, 2027)
countries = sorted(m for m in sys.modules if m.startswith("holidays.countries."))
from holidays.countries import France  # the package's names still resolve, one module at a time
import holidays
assert France.__name__ == "France" and holidays.country_holidays("FR", years=2027)
print(json.dumps({"models": models, "countries": countries}))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["models"] == []
    assert seen["countries"] == ["holidays.countries.united_kingdom", "holidays.countries.united_states"]


def test_packaged_rules_load_without_importing_jsonschema(tmp_path: Path) -> None:
    """The package validated the rules and recorded their digest: the function's cold start skips the schema."""
    import shutil

    import shiftwork.handlers  # noqa: F401
    from shiftwork.deploy.package import rule_files, validated_marker
    from shiftwork.deploy.rules_view import load_view

    rules = tmp_path / "shiftwork_rules"
    shutil.copytree(ROOT / "rules" / "examples", rules)
    marker = validated_marker(load_view([str(rules)]), rule_files(rules))
    assert marker, "the package records a digest for rules it loaded"
    (tmp_path / next(iter(marker))).write_bytes(next(iter(marker.values())))
    probe = f"""
import json, sys
import shiftwork.handlers
from shiftwork.engine.language.loader import load, validated_digest
ruleset = load([{str(rules)!r}], validated=validated_digest({str(rules)!r}))
print(json.dumps({{"rules": len(ruleset.rules), "jsonschema": sorted(m for m in sys.modules if m.startswith("jsonschema"))}}))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"rules": 19, "jsonschema": []}
