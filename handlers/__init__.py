"""One module per AWS service family; importing this package registers them all."""
from shiftwork.handlers import asg, backup, ec2, ecs, notify, rds, storage, verify  # noqa: F401
