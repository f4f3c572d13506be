"""Sent after a plan file is loaded, so other apps can follow the plan (the work plan's tasks)."""

from django.dispatch import Signal

# sender: the Plan class; keyword arguments: plan, actor
plan_loaded = Signal()
