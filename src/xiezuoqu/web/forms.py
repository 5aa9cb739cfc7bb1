from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.errors import DomainError, NotFound, NotPermitted
from xiezuoqu.keys import as_key, is_key_text


def apply_errors(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's domain error on the form: field errors on fields, the message on top."""
    placed = False
    for name, field_messages in exc.field_errors.items():
        if name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
            placed = True
    if not placed or not exc.field_errors:
        form.add_error(None, exc.message)


def show_error(request: HttpRequest, exc: DomainError, form: forms.BaseForm | None = None) -> None:
    """A domain error caught by a page: on record if it is a refusal, then shown on the form or on top."""
    from xiezuoqu.audit.refusals import record_refusal

    record_refusal(request, exc)
    # "Not allowed" and "not found" are about the user, not the input: shown on top, not on a form
    # (which a user without the right may not even be shown).
    if form is not None and not isinstance(exc, NotPermitted | NotFound):
        apply_errors(form, exc)
    else:
        messages.error(request, exc.message)


def require_staff(actor: Actor) -> None:
    """Staff pages are for the discipline-inspection staff: anyone else (the administrators, a village
    supervisor) is told the page does not exist, as for any object out of reach."""
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()


def parse_id(value: str | None) -> int | None:
    """An id typed or posted as ASCII digits that fit a database key; anything else ("²", "١٢", a
    number past 64 bits) is no id, so the page says what is missing instead of failing."""
    return as_key(value)


def parse_date(value: str | None) -> date | None:
    """An ISO date from a form field, or None when it is empty or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO date and time from a form field (``datetime-local``), in the current time zone."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def posted_id(request: HttpRequest, name: str) -> int:
    """An object id from a POSTed form; anything but digits is an object that does not exist."""
    value = request.POST.get(name, "").strip()
    if not is_key_text(value):
        raise NotFound()
    return int(value)
