"""The audit log: every service records who changed what, and when."""

from django.contrib.contenttypes.models import ContentType

from blocs.models import AuditEntry, User


def audit_record(*, actor: User | None, action: str, target, **data) -> AuditEntry:
    """Record ``action`` on ``target``; ``data`` holds the change (e.g. ``status=["draft", "launched"]``).

    ``actor`` is None only for management commands run by the operator.
    """
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.display_name if actor else "hệ thống",
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        data=data,
    )
