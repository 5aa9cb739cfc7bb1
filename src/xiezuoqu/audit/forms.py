"""The audit log's filter form (GET): who, what, which object, outcome, when; and the keyset cursor."""

from __future__ import annotations

from django import forms

from .models import AuditEvent
from .selectors import EventFilters

_DATETIME = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})


class EventFilterForm(forms.Form):
    actor = forms.CharField(label="操作人（用户名或ID）", required=False, max_length=150)
    action = forms.CharField(
        label="动作（前缀）",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "如 account."}),
    )
    target_type = forms.CharField(
        label="对象类型", required=False, max_length=80, widget=forms.TextInput(attrs={"placeholder": "如 org.zone"})
    )
    target_id = forms.CharField(label="对象ID", required=False, max_length=64)
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditEvent.Outcome.choices])
    since = forms.DateTimeField(label="起始时间", required=False, widget=_DATETIME)
    until = forms.DateTimeField(label="截止时间", required=False, widget=_DATETIME)
    before = forms.IntegerField(required=False, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", "截止时间应晚于起始时间。")
        if data.get("target_id") and not data.get("target_type"):
            self.add_error("target_type", "按对象ID筛选时请同时填写对象类型。")
        return data

    def filters(self) -> EventFilters:
        data = self.cleaned_data
        return EventFilters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", "").strip(),
            target_type=data.get("target_type", "").strip(),
            target_id=data.get("target_id", "").strip(),
            outcome=data.get("outcome", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
