from .plans import Agency, Condition, Indicator, Plan, PlanItem, PlanSection

__all__ = ["Agency", "Condition", "Indicator", "Plan", "PlanItem", "PlanSection"]
