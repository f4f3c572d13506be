from .plans import Agency, Condition, Indicator, Plan, PlanItem, PlanSection, ValidationRule

__all__ = ["Agency", "Condition", "Indicator", "Plan", "PlanItem", "PlanSection", "ValidationRule"]
