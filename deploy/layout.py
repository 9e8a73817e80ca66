"""Where things live inside the Lambda package, shared by the package builder and the template.

The template's environment variables and handler must name exactly the paths the package writes;
keeping both in one place means they cannot drift apart.
"""
from __future__ import annotations

from shiftwork.engine.execute.models import ENV as ENV_MODELS  # noqa: F401  (the engine reads it; one name)

TASK_ROOT = "/var/task"  # where Lambda unpacks a zip package (LAMBDA_TASK_ROOT)
HANDLER = "shiftwork.engine.dispatch.lambda_handler.handler"

CODE_PREFIX = "shiftwork"  # shiftwork/engine, shiftwork/handlers, shiftwork/deploy
CODE_PACKAGES = ("engine", "handlers", "deploy")
RULES_DIR = "shiftwork_rules"  # the rule files, flat, as `shiftwork validate DIR` reads them
HOLIDAYS_FILE = "shiftwork_data/holidays.json"  # see deploy.holidays_data for its shape
MODELS_DIR = "shiftwork_models"  # trimmed AWS service models, see deploy.service_models

ENV_RULES = "SHIFTWORK_RULES"
ENV_TABLE = "SHIFTWORK_TABLE"
ENV_QUEUE_URL = "SHIFTWORK_QUEUE_URL"
ENV_HOLIDAYS = "SHIFTWORK_HOLIDAYS"


def task_path(relative: str) -> str:
    """The absolute path, inside a running Lambda, of a file the package put at `relative`."""
    return f"{TASK_ROOT}/{relative}"
