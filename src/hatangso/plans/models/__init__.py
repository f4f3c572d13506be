from .plans import Agency, Condition, Indicator, IndicatorTarget, Plan, PlanItem, PlanSection, ValidationRule

__all__ = [
    "Agency",
    "Condition",
    "Indicator",
    "IndicatorTarget",
    "Plan",
    "PlanItem",
    "PlanSection",
    "ValidationRule",
]
