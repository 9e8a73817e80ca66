"""The Lambda package: reproducible bytes, the right files, no holidays or boto3, under 3 MB.

The tests marked `network` download pinned wheels once into `.cache/wheels` (gitignored) and reuse
them; they skip only when pip cannot reach the package index.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

try:
    from shiftwork.deploy import archive, holidays_data, layout, package, rules_view, wheels
except ModuleNotFoundError:  # before the packages move under `shiftwork`
    from deploy import archive, holidays_data, layout, package, rules_view, wheels

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "rules" / "examples"
CACHE = REPO / ".cache" / "wheels"
YEARS = range(2026, 2030)
LIMIT = 3 * 1024 * 1024
# What the example rules look like to the package builder, for runs without the engine.
EXAMPLES_VIEW = rules_view.RulesView(
    (rules_view.RuleView("dev-office-hours", rules_view.WINDOW),),
    (rules_view.HolidayCalendar("england", "GB", "ENG"), rules_view.HolidayCalendar("us-holidays", "US")))
NOT_BUNDLED = ("holidays", "boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")


def _top_levels(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {n.split("/", 1)[0].split("-", 1)[0].removesuffix(".py").lower() for n in z.namelist()}


# -- pure parts -------------------------------------------------------------------------------------------------
def test_zip_bytes_depend_only_on_the_entries(tmp_path: Path) -> None:
    entries = {"b/x.py": b"x = 1\n", "a.py": b"", "b/c/so.so": bytes(range(256))}
    first = archive.write_zip(tmp_path / "1.zip", entries)
    second = archive.write_zip(tmp_path / "2.zip", dict(reversed(list(entries.items()))))
    assert first == second
    with zipfile.ZipFile(tmp_path / "1.zip") as z:
        assert z.namelist() == ["a.py", "b/c/so.so", "b/x.py"]
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o100644}
    with pytest.raises(ValueError, match="not a relative file name"):
        archive.write_zip(tmp_path / "3.zip", {"../evil.py": b""})


def test_unpacking_a_wheel_drops_record_and_bytecode_and_moves_purelib(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name in ("demo/__init__.py", "demo/__pycache__/x.cpython-312.pyc", "demo-1.0.dist-info/RECORD",
                     "demo-1.0.dist-info/METADATA", "demo-1.0.data/purelib/extra.py", "demo-1.0.data/scripts/run"):
            z.writestr(name, name)
    assert sorted(wheels.unpack(wheel)) == ["demo-1.0.dist-info/METADATA", "demo/__init__.py", "extra.py"]


def test_code_files_lay_shiftwork_out_under_its_prefix(tmp_path: Path) -> None:
    for pkg in layout.CODE_PACKAGES:
        (tmp_path / pkg / "__pycache__").mkdir(parents=True)
        (tmp_path / pkg / "__init__.py").write_text("")
        (tmp_path / pkg / "__pycache__" / "m.cpython-312.pyc").write_bytes(b"\0")
        (tmp_path / pkg / ".orig.py").write_text("")
    (tmp_path / "engine" / "data").mkdir()
    (tmp_path / "engine" / "data" / "zones.json").write_text("{}")
    files = package.code_files(tmp_path)
    assert sorted(files) == ["shiftwork/__init__.py", "shiftwork/deploy/__init__.py", "shiftwork/engine/__init__.py",
                             "shiftwork/engine/data/zones.json", "shiftwork/handlers/__init__.py"]
    real = package.code_files()
    assert {"shiftwork/engine/__init__.py", "shiftwork/handlers/__init__.py", "shiftwork/deploy/package.py"} <= set(real)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in real)


def test_rule_files_are_flat_under_the_rules_folder_the_lambda_reads() -> None:
    files = package.rule_files(EXAMPLES)
    assert sorted(files) == sorted(f"{layout.RULES_DIR}/{p.name}" for p in EXAMPLES.glob("*.yaml"))
    assert layout.task_path(layout.RULES_DIR) == "/var/task/shiftwork_rules"


def test_a_path_claimed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="dependencies and shiftwork both put files under shiftwork"):
        package.merge(("shiftwork", {"shiftwork/x.py": b""}), ("dependencies", {"shiftwork/x.py": b""}))


def test_holidays_are_resolved_per_calendar_for_the_years_asked() -> None:
    tables = holidays_data.holiday_tables(EXAMPLES_VIEW.calendars, [2027])
    assert tables["england"]["2027-03-26"] == "Good Friday"
    assert tables["england"]["2027-08-30"] == "Late Summer Bank Holiday"
    assert tables["us-holidays"]["2027-07-05"].startswith("Independence Day")  # observed: the 4th is a Sunday
    assert all(day.startswith("2027-") for t in tables.values() for day in t)
    doc = holidays_data.holidays_document(EXAMPLES_VIEW.calendars, YEARS)
    assert doc["years"] == [2026, 2029] and doc["format"] == 1
    assert doc["sources"]["england"] == {"country": "GB", "subdiv": "ENG"}
    assert holidays_data.encode(doc) == holidays_data.encode(json.loads(holidays_data.encode(doc)))
    with pytest.raises(ValueError, match="without gaps"):
        holidays_data.holidays_document(EXAMPLES_VIEW.calendars, [2026, 2028])


def test_package_years_run_from_this_year() -> None:
    from datetime import date

    assert holidays_data.package_years(date(2026, 12, 31)) == (2026, 2027, 2028, 2029)


@pytest.mark.network
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_pins_are_closed_under_their_wheels_requirements(arch: str) -> None:
    """Every dependency a pinned wheel declares for CPython 3.12 on Linux is pinned too (or in the runtime)."""
    env = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux",
           "platform_system": "Linux", "platform_machine": "aarch64" if arch == "arm64" else "x86_64",
           "implementation_name": "cpython", "platform_python_implementation": "CPython", "os_name": "posix",
           "extra": ""}
    known = {wheels.canonical(n) for n in wheels.requirements(bundle_boto3=True)}
    for name, version in wheels.requirements(bundle_boto3=True).items():
        wheel = _fetch(name, version, arch)
        metadata = next(data for path, data in wheels.unpack(wheel).items() if path.endswith(".dist-info/METADATA"))
        for line in metadata.decode().splitlines():
            if line.startswith("Requires-Dist:"):
                req = Requirement(line.split(":", 1)[1].strip())
                if req.marker is None or Marker(str(req.marker)).evaluate(env):
                    assert wheels.canonical(req.name) in known, f"{name} needs {req.name}, which is not pinned"


# -- the whole package (downloads wheels once) -------------------------------------------------------------------
def _fetch(name: str, version: str, arch: str) -> Path:
    try:
        return wheels.fetch(name, version, arch=arch, python="3.12", cache_dir=CACHE)
    except wheels.WheelError as exc:
        if exc.unreachable:
            pytest.skip(f"the package index is unreachable: {exc}")
        raise


def _build(out: Path, *, arch: str = "x86_64", **kwargs: object) -> package.Package:
    try:
        return package.build_package(EXAMPLES, out, arch=arch, cache_dir=CACHE,
                                     **({"rules": EXAMPLES_VIEW, "years": YEARS} | kwargs))  # type: ignore[arg-type]
    except wheels.WheelError as exc:
        if exc.unreachable:
            pytest.skip(f"the package index is unreachable: {exc}")
        raise


@pytest.mark.network
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_building_twice_gives_the_same_bytes_under_3_mb(tmp_path: Path, arch: str) -> None:
    first, second = _build(tmp_path / "a", arch=arch), _build(tmp_path / "b", arch=arch)
    assert first.sha256 == second.sha256 and first.size == second.size
    assert first.path.name == f"shiftwork-{arch}-{first.sha256[:16]}.zip"
    assert first.size < LIMIT, f"{first.size} bytes"
    tops = _top_levels(first.path)
    assert not tops & set(NOT_BUNDLED)
    assert {"shiftwork", "shiftwork_rules", "shiftwork_data", "shiftwork_models", "yaml", "jsonschema", "rpds",
            "tzdata"} <= tops
    with zipfile.ZipFile(first.path) as z:
        names = z.namelist()
        assert not any("__pycache__" in n or n.endswith((".pyc", "/RECORD")) for n in names)
        assert any(n.startswith("yaml/_yaml.cpython-312-") and ("aarch64" in n) == (arch == "arm64") for n in names)
        doc = json.loads(z.read(layout.HOLIDAYS_FILE))
        assert doc["years"] == [2026, 2029] and set(doc["calendars"]) == {"england", "us-holidays"}


@pytest.mark.network
def test_boto3_only_on_request_and_different_years_change_the_hash(tmp_path: Path) -> None:
    plain = _build(tmp_path / "plain")
    boto = _build(tmp_path / "boto", bundle_boto3=True)
    assert {"boto3", "botocore", "dateutil", "six"} <= _top_levels(boto.path)
    with zipfile.ZipFile(boto.path) as z:  # the models are cut from the bundled botocore, which the function runs
        manifest = json.loads(z.read(f"{layout.MODELS_DIR}/manifest.json"))
        assert manifest["botocore"] == wheels.RUNTIME_PROVIDED["botocore"] == boto.botocore
        assert z.read(f"{layout.MODELS_DIR}/ec2/2016-11-15/service-2.json").startswith(b'{"version":"2.0"')
    assert "holidays" not in _top_levels(boto.path)
    assert _build(tmp_path / "later", years=range(2027, 2031)).sha256 != plain.sha256


@pytest.mark.network
def test_example_rules_loaded_and_validated_by_the_engine(tmp_path: Path) -> None:
    pytest.importorskip("shiftwork.engine.language.loader", reason="the engine's post-move import paths")
    built = _build(tmp_path / "a", rules=None)
    again = _build(tmp_path / "b", rules=None)
    assert built.sha256 == again.sha256
    with zipfile.ZipFile(built.path) as z:
        assert set(json.loads(z.read(layout.HOLIDAYS_FILE))["calendars"]) == {"england", "us-holidays"}
