"""Without a captcha (none works offline): a honeypot, a minimum fill time, single-use form tokens and
per-address submission limits keep scripted reports out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.public.conftest import PDF, old_token, receipt_of, report_data, submit, upload
from xiezuoqu.intake.models import Report
from xiezuoqu.public.forms import issue_form_token

pytestmark = pytest.mark.django_db


def test_a_filled_honeypot_saves_nothing(demo, reporter):
    response = submit(reporter, homepage="http://spam.example")
    assert response.status_code == 400
    assert "提交未成功" in response.content.decode() and not Report.objects.exists()


def test_a_form_sent_within_seconds_of_being_served_is_sent_back(demo, reporter):
    response = submit(reporter, form_token=issue_form_token())
    page = response.content.decode()
    assert response.status_code == 400 and "提交过快" in page and not Report.objects.exists()
    assert "双山子村党支部" in page  # what was typed is kept


def test_a_missing_forged_or_stale_token_is_refused(demo, reporter):
    for token in ("", "forged:token", issue_form_token(now=timezone.now() - timedelta(hours=4))):
        response = submit(reporter, form_token=token)
        assert response.status_code == 400, token
    assert not Report.objects.exists()


def test_one_form_token_files_one_report(demo, reporter):
    token = old_token()
    assert submit(reporter, form_token=token).status_code == 200
    again = submit(reporter, form_token=token)  # the browser re-sent the POST
    assert again.status_code == 409 and "已经提交过" in again.content.decode()
    assert Report.objects.count() == 1


def test_five_reports_an_hour_from_one_address(demo, reporter):
    for _ in range(5):
        assert submit(reporter, address="198.51.100.20").status_code == 200
    refused = submit(reporter, address="198.51.100.20", attachments=[upload("a.pdf", PDF)])
    assert refused.status_code == 429
    assert "提交举报或上传材料过于频繁" in refused.content.decode() and int(refused["Retry-After"]) <= 3600
    assert Report.objects.count() == 5
    assert submit(reporter, address="198.51.100.21").status_code == 200


def test_the_real_browser_path_with_csrf_enforced(demo):
    """The upload limits are installed before the CSRF check reads the body (exempt outer, protected inner)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/report/new/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = report_data(csrfmiddlewaretoken=csrf, attachments=[upload("a.pdf", PDF)])
    response = browser.post("/report/new/", data, REMOTE_ADDR="198.51.100.30")
    assert response.status_code == 200 and len(receipt_of(response)) == 16
    without = Client(enforce_csrf_checks=True).post("/report/new/", report_data(), REMOTE_ADDR="198.51.100.31")
    assert without.status_code == 403
