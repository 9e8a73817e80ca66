"""`target: event`: which events can name a resource of each type, so `validate` can say when none can."""
from __future__ import annotations

from shiftwork.engine.language.patternmodel import CompiledPattern

# AWS event sources and the resource types their events name (the events stage reads the names:
# engine/events/targets.py). A custom source may name anything through its `resources` ARNs.
NAMES_BY_SOURCE: dict[str, frozenset[str]] = {
    "aws.cloudwatch": frozenset({"ecs.service", "asg.group", "ec2.instance", "rds.instance", "rds.cluster"}),
    "aws.ec2": frozenset({"ec2.instance"}),
    "aws.autoscaling": frozenset({"asg.group", "ec2.instance"}),
    "aws.ecs": frozenset({"ecs.service"}),
    "aws.rds": frozenset({"rds.instance", "rds.cluster"}),
    "aws.backup": frozenset({"ec2.instance", "rds.instance", "rds.cluster", "ebs.volume", "dynamodb.table",
                             "efs.filesystem"}),  # the protected resource of a backup job
}
TARGETABLE = frozenset().union(*NAMES_BY_SOURCE.values())


def unnameable(pattern: CompiledPattern, resource: str) -> str | None:
    """Why the events `pattern` can match never name a `resource`, or None when some can (or may)."""
    if resource not in TARGETABLE:
        return f"no event names {resource} resources; 'target: event' works for {', '.join(sorted(TARGETABLE))}"
    sources = pattern.sources
    if sources is None or any(not s.startswith("aws.") for s in sources):
        return None  # any source, or a custom one whose `resources` ARNs may name it
    if any(resource in NAMES_BY_SOURCE.get(s, frozenset()) for s in sources):
        return None
    return (f"events from {', '.join(sorted(sources))} name no {resource}, so this rule would act on nothing; "
            f"{resource} resources are named by events from "
            f"{', '.join(sorted(s for s, types in NAMES_BY_SOURCE.items() if resource in types))}")
