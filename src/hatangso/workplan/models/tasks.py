"""The plan's tasks, measures and responsibilities, tracked to their evidence.

A task is a plan item (section number, text, lead and coordinating agencies, condition, linked
indicators all come from the plan) plus what happens to it: due date, status, progress, updates.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")
        CANCELLED = "cancelled", _("Không thực hiện")

    # What the task is shown as: its status, or waiting / overdue where the dates and condition say so.
    STATES = {
        **dict(Status.choices),
        "waiting": _("Chờ điều kiện"),
        "overdue": _("Quá hạn"),
    }

    item = models.OneToOneField("plans.PlanItem", on_delete=models.CASCADE, related_name="task")
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__plan", "item__order"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.item.number} {self.item.text[:60]}"

    def state(self, today: date) -> str:
        """done / cancelled as they are; a task whose condition has not come true waits (never
        late); past its due date it is overdue; otherwise its status."""
        if self.status in (self.Status.DONE, self.Status.CANCELLED):
            return self.status
        if self.item.condition_id and not self.item.condition.met:
            return "waiting"
        if self.due_date and self.due_date < today:
            return "overdue"
        return self.status

    def state_label(self, today: date) -> str:
        return str(self.STATES[self.state(today)])


class ProgressUpdate(models.Model):
    """What the responsible body did, with evidence; the plan owner accepts or returns it."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("Chờ xem xét")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        RETURNED = "returned", _("Trả lại")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("nội dung đã thực hiện"))
    done_on = models.DateField(_("ngày"))
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), null=True, blank=True)
    status = models.CharField(_("trạng thái đề nghị"), max_length=12, choices=Task.Status.choices, blank=True)
    links = models.TextField(_("liên kết dữ liệu, văn bản"), blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.SUBMITTED)
    decision_comment = models.TextField(_("ý kiến"), blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    # The author's own organisation (one of the three, or none for the plan owner): it reads its
    # updates even on a task led by "the communes" or "the enterprises", where others may not.
    author_agency = models.ForeignKey(
        "plans.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_operator = models.ForeignKey(
        "registry.Operator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-done_on", "-created_at"]
        verbose_name = _("cập nhật tiến độ")
        verbose_name_plural = _("cập nhật tiến độ")

    def __str__(self) -> str:
        return f"{self.task.item.number} {self.done_on:%d/%m/%Y}"


class Evidence(models.Model):
    """A file attached to an update: kept under HATANGSO_HOME/evidence, checked by its content,
    served only as a download."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)  # pdf, docx, xlsx, odt, jpeg, png — from the content
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.file_name
