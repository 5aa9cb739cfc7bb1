"""The calendar page's forms: parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from xiezuoqu.errors import ValidationFailed

from .calendar import MAX_MONTHS, MAX_WORKING_DAYS, MAX_YEAR, MIN_YEAR, EnteredDay
from .models import CalendarDay
from .schedule import parse_schedule

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_domain_errors(form: forms.Form, error: ValidationFailed, field_map: dict[str, str] | None = None) -> None:
    """Show a service's field errors on the form's own fields (unknown fields go to the top)."""
    field_map = field_map or {}
    if not error.field_errors:
        form.add_error(None, error.message)
    for key, messages in error.field_errors.items():
        field = field_map.get(key, key)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class YearScheduleForm(forms.Form):
    # Distinct element ids: three forms share the calendar page.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "year_%s")
        super().__init__(*args, **kwargs)

    year = forms.IntegerField(label="年份", min_value=MIN_YEAR, max_value=MAX_YEAR)
    source = forms.CharField(label="依据（通知名称）", max_length=200)
    published_on = forms.DateField(label="发布日期", widget=DATE_INPUT)
    text = forms.CharField(
        label="节假日安排（每行一条）",
        widget=forms.Textarea(attrs={"rows": 14, "class": "schedule-text", "spellcheck": "false"}),
        help_text="格式：“2027-01-01 休 元旦”“2027-02-06~2027-02-14 休 春节”“2027-02-20 班 春节调休”；"
        "“休”为放假，“班”为调休上班；以 # 开头的行为注释。",
    )
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, text = data.get("year"), data.get("text")
        if year is not None and text:
            try:
                data["days"] = parse_schedule(text, year=year)
            except ValidationFailed as error:
                apply_domain_errors(self, error)
        return data

    @property
    def days(self) -> list[EnteredDay]:
        return list(self.cleaned_data["days"])


class CalendarDayForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "day_%s")
        super().__init__(*args, **kwargs)

    date = forms.DateField(label="日期", widget=DATE_INPUT)
    kind = forms.ChoiceField(label="类型", choices=CalendarDay.Kind.choices)
    name = forms.CharField(label="名称", max_length=40, required=False, help_text="如“春节”“国庆节调休”")
    note = forms.CharField(label="备注", max_length=200, required=False)


class CalculatorForm(forms.Form):
    UNITS = [("working_days", "个工作日"), ("months", "个月")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "calc_%s")
        super().__init__(*args, **kwargs)

    start = forms.DateField(label="起算日（当日不计入）", widget=DATE_INPUT)
    n = forms.IntegerField(label="期限", min_value=0, max_value=MAX_WORKING_DAYS)
    unit = forms.ChoiceField(label="单位", choices=UNITS, initial="working_days")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit") == "months" and (data.get("n") or 0) > MAX_MONTHS:
            self.add_error("n", f"月数过大（最多 {MAX_MONTHS}）。")
        return data
