"""The demo county year of reports is made through the real intake services, once."""

from __future__ import annotations

import pytest

from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.intake.models import Report, ReportAccused

pytestmark = pytest.mark.django_db


def test_demo_reports_are_registered_routed_and_not_made_twice(demo):
    summary = load_demo_reports(count=30)
    assert summary.created == 30
    reports = Report.objects.filter(commission__is_demo=True)
    assert reports.count() == 30
    assert reports.exclude(ledger_number="").count() == 30
    assert {"assigned", "registered"} & set(reports.values_list("state", flat=True))
    # accused names are whole names taken from the summary, never fragments of the text
    for accused in ReportAccused.objects.filter(report__in=reports):
        assert accused.name in accused.report.summary
    assert load_demo_reports(count=30).created == 0
