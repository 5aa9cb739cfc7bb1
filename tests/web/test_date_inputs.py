"""A prefilled date or time reaches the browser in the one format ``<input type="date">`` and
``type="datetime-local"`` read (ISO): Django's zh-Hans default ``2026/12/08`` shows as an empty field."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone, translation

from xiezuoqu.verification.forms import MeasureForm, PlanForm


def test_date_and_datetime_widgets_render_iso_under_the_chinese_locale():
    with translation.override("zh-hans"):
        plan = PlanForm(initial={"starts_on": date(2026, 12, 8)})
        measure = MeasureForm(
            officers=[], documents=[], initial={"starts_at": timezone.make_aware(datetime(2026, 12, 8, 9, 30))}
        )
        assert 'value="2026-12-08"' in str(plan["starts_on"])
        assert 'value="2026-12-08T09:30"' in str(measure["starts_at"])


def test_the_other_chinese_date_forms_are_still_accepted():
    with translation.override("zh-hans"):
        for typed in ("2026-12-08", "2026/12/08", "2026年12月08日"):
            form = PlanForm(data={"starts_on": typed})
            form.is_valid()
            assert "starts_on" not in form.errors, typed
            assert form.cleaned_data["starts_on"] == date(2026, 12, 8)
