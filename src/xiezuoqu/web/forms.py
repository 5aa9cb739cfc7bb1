from __future__ import annotations

from django import forms

from xiezuoqu.errors import DomainError


def apply_errors(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's domain error on the form: field errors on fields, the message on top."""
    placed = False
    for name, messages in exc.field_errors.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed or not exc.field_errors:
        form.add_error(None, exc.message)
