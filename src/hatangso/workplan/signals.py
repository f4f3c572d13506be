from django.dispatch import receiver

from hatangso.plans.signals import plan_loaded
from hatangso.workplan.services import sync_tasks


@receiver(plan_loaded)
def follow_the_plan(sender, plan, actor, **kwargs):
    sync_tasks(plan=plan, actor=actor)
