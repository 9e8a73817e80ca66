"""`shiftwork package DIR`: validate the rules, then build the Lambda zip for the target platform and print its digest."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shiftwork.deploy import package as packager
from shiftwork.deploy import wheels
from shiftwork.deploy.options import ARCHITECTURES
from shiftwork.deploy.rules_view import RulesView, view
from shiftwork.engine.errors import EXIT_OK, ShiftworkError, UsageError
from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.schedule.conflicts import find_conflicts

PYTHONS = ("3.11", "3.12", "3.13")  # Lambda runtimes the pinned wheels exist for


class PackageError(ShiftworkError):
    """The package could not be built (a wheel could not be fetched, a file could not be read or written)."""


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options `package` and `deploy` share: what platform to build for and where."""
    p.add_argument("--arch", choices=ARCHITECTURES, default="x86_64",
                   help="the Lambda architecture; compiled wheels are fetched for it (default x86_64)")
    p.add_argument("--python", choices=PYTHONS, default="3.12", help="the Lambda Python runtime (default 3.12)")
    p.add_argument("--out", metavar="DIR", default="dist", help="where the zip is written (default ./dist)")
    p.add_argument("--bundle-boto3", action="store_true",
                   help="bundle boto3/botocore instead of using the Lambda runtime's (pins their versions; ~19 MB)")
    p.add_argument("--wheel-cache", metavar="DIR", type=Path, default=None,
                   help=f"downloaded wheels are kept here (default {wheels.default_cache_dir()})")


def register(sub) -> None:
    p = sub.add_parser("package", help="validate the rules and build the Lambda zip (code, rules, holidays, wheels)")
    p.add_argument("path", metavar="DIR", help="the directory of rule files (*.yaml) to deploy")
    add_build_options(p)
    p.set_defaults(run=run)


def validated(path: str) -> RuleSet:
    """The rule set in the directory `path`, with its warnings printed; errors print and raise (exit 2)."""
    if not Path(path).is_dir():
        raise UsageError(f"{path}: not a directory; a package holds a directory of rule files (*.yaml)")
    checked = check_paths([path], checks=(find_conflicts,))
    for diagnostic in checked.diagnostics:
        print(diagnostic, file=sys.stderr)
    if checked.ruleset is None:
        n = len(checked.errors)
        raise UsageError(f"{path}: {n} error{'s' if n != 1 else ''}; nothing was built")
    return checked.ruleset


def build(args: argparse.Namespace, rules: RulesView) -> packager.Package:
    """The zip for `args.path`, from the rules already loaded; fetch and file problems become PackageError."""
    try:
        return packager.build_package(args.path, args.out, arch=args.arch, python=args.python,
                                      bundle_boto3=args.bundle_boto3, cache_dir=args.wheel_cache, rules=rules)
    except wheels.WheelError as exc:
        hint = "\n(the package index is unreachable: build where pip can download, or fill --wheel-cache first)" \
            if exc.unreachable else ""
        raise PackageError(f"{exc}{hint}") from None
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot build the package: {exc}") from None


def describe(built: packager.Package) -> str:
    runtime = wheels.RUNTIME_PROVIDED["botocore"]
    models = f"AWS models: cut to the operations shiftwork calls, from botocore {built.botocore}"
    if built.botocore != runtime:
        models += (f"\nwarning: the Lambda runtime provides botocore {runtime}; there the function uses botocore's "
                   "complete models (about 30 MB more memory) unless the package bundles boto3 (--bundle-boto3)")
    code = (f"bytecode: compiled by {built.bytecode}" if built.bytecode else
            f"bytecode: none (Python {built.python} is not installed here to compile it), so each cold start "
            "compiles the code (about 100 ms more CPU)")
    return (f"{built.path}\nsize: {built.size:,} bytes ({built.size / 1024 / 1024:.1f} MB)\nsha256: {built.sha256}\n"
            f"{models}\n{code}")


def run(args: argparse.Namespace) -> int:
    print(describe(build(args, view(validated(args.path)))))
    return EXIT_OK
