"""People reporting a post, a comment or a person to staff (staff act on reports in
social.moderation)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from flywheel.ratelimit import check_and_count
from social.models import Report


@transaction.atomic
def report_create(*, reporter, reason, details="", post=None, comment=None, person=None) -> Report:
    targets = [t for t in (post, comment, person) if t is not None]
    if len(targets) != 1:
        raise ValidationError({"detail": "Report exactly one post, comment or person."})
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason from the list."})
    if len(details or "") > 1000:
        raise ValidationError({"details": "Keep the details under 1000 characters."})
    if person is not None and person.pk == reporter.pk:
        raise ValidationError({"detail": "You cannot report yourself."})
    check_and_count("report", reporter.pk, action="reports")
    return Report.objects.create(
        reporter=reporter,
        reason=reason,
        details=(details or "").strip(),
        post=post,
        comment=comment,
        reported_user=person,
    )
