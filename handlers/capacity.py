"""The saved-capacity tag, as the ECS and ASG handlers use it; the format lives in the engine (`shiftwork saved`
reads it too)."""
from shiftwork.engine.plan.capacity import (  # noqa: F401
    FIELDS, NOTES, SAVED_TAG, BadSavedCapacity, Capacity, decode, saved, should_save,
)
