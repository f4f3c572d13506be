from django.dispatch import receiver

from hatangso.plans.signals import plan_loaded


@receiver(plan_loaded)
def follow_the_plan(sender, plan, actor, **kwargs):
    from hatangso.workplan.services import sync_tasks  # not at start-up: only a plan load needs it

    sync_tasks(plan=plan, actor=actor)
