"""Meta-tests over the whole registry: it is the source of truth for names, schemas, permissions and docs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from shiftwork.engine.language.loader import load
from shiftwork.engine.language.registry import ANY_RESOURCE, Registry, registered

PERMISSION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")

REGISTRY: Registry = registered()
ACTIONS = sorted(REGISTRY.actions)
RESOURCES = sorted(REGISTRY.resources)


def test_the_registry_is_populated() -> None:
    assert {"ec2.start", "ec2.stop", "ecs.scale", "ecs.restore", "asg.scale", "asg.restore", "rds.start",
            "rds.stop", "backup.validate", "notify"} <= set(ACTIONS)
    assert {"ec2.instance", "ecs.service", "asg.group", "rds.instance", "rds.cluster"} <= set(RESOURCES)


@pytest.mark.parametrize("name", ACTIONS)
def test_action_has_a_summary(name: str) -> None:
    summary = REGISTRY.actions[name].summary
    assert summary and summary[0].isupper() and summary.endswith("."), summary


@pytest.mark.parametrize("name", ACTIONS)
def test_action_declares_permissions(name: str) -> None:
    perms = REGISTRY.actions[name].permissions
    assert perms, f"{name} declares no IAM permissions"
    assert [p for p in perms if not PERMISSION.match(p)] == []
    assert len(set(perms)) == len(perms)


@pytest.mark.parametrize("name", ACTIONS)
def test_action_option_schema_is_valid(name: str) -> None:
    spec = REGISTRY.actions[name]
    schema = {"type": "object", "properties": spec.options}
    Draft202012Validator.check_schema(schema)
    assert set(spec.required) <= set(spec.options), "a required option must be declared"
    assert "type" not in spec.options, "'type' is the action name, not an option"


@pytest.mark.parametrize("name", ACTIONS)
def test_action_resources_exist(name: str) -> None:
    resources = REGISTRY.actions[name].resources
    assert resources
    assert [r for r in resources if r != ANY_RESOURCE and r not in REGISTRY.resources] == []


@pytest.mark.parametrize("name", ACTIONS)
def test_docstring_example_is_a_valid_rule_file(name: str, tmp_path: Path) -> None:
    example = REGISTRY.actions[name].example
    assert example.startswith("version: 1\n"), f"{name}: the docstring example must be a complete rule file"
    path = tmp_path / f"{name}.yaml"
    path.write_text(example)
    ruleset = load([str(path)])
    used = {spec.type for rule in ruleset.rules for spec in rule.all_actions()}
    assert name in used, f"{name}'s example does not use {name}"


@pytest.mark.parametrize("name", ACTIONS)
def test_registered_name_matches_the_class(name: str) -> None:
    assert REGISTRY.actions[name].cls.action_name == name


def test_action_classes_are_distinct() -> None:
    classes = [REGISTRY.actions[n].cls for n in ACTIONS]
    assert len(set(classes)) == len(classes)


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_has_summary_and_permissions(name: str) -> None:
    spec = REGISTRY.resources[name]
    assert spec.summary and spec.summary.endswith(".")
    assert spec.permissions, f"{name} declares no IAM permissions for selection"
    assert [p for p in spec.permissions if not PERMISSION.match(p)] == []


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_selector_carries_its_name(name: str) -> None:
    spec = REGISTRY.resources[name]
    assert spec.selector is not None
    assert spec.selector.resource_type == name
    assert spec.match and set(spec.match) <= {"tags", "ids", "names", "cluster"}


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_type_has_an_action(name: str) -> None:
    assert [a for a in REGISTRY.actions_for(name) if a != "notify"], f"nothing can act on {name}"


def test_every_registered_selector_and_action_has_behaviour() -> None:
    """No registration still falls back to the base class that raises NotSupportedYet."""
    from shiftwork.engine.plan.actions import Action, Selector

    registry = registered()
    lazy_selectors = sorted(n for n, r in registry.resources.items()
                            if r.selector is None or r.selector.select is Selector.select)
    lazy_actions = sorted(n for n, a in registry.actions.items() if a.cls.plan is Action.plan)
    assert lazy_selectors == [] and lazy_actions == []
