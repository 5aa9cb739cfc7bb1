"""The pages and the API: the flow from a budget to a paid claim and from a booking to a claimed trip,
problem JSON for refusals, and the .xlsx ledgers whose totals are recomputed from their rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.funds.conftest import approve_claim, at, budget, clue, draft, driver, line, vehicle
from tests.intake.conftest import api_token, demo_actor, login
from xiezuoqu.accounts.models import User
from xiezuoqu.funds import services
from xiezuoqu.funds.models import Claim
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db


def _api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username=username))}")


def test_the_pages_take_a_claim_from_draft_to_paid(demo):
    found = budget()
    subsidy = line(found)
    matter = clue()
    page = login(Client(), "xzshuji")
    assert "填写经费申请" in page.get("/funds/").content.decode()
    answer = page.post(
        "/funds/claims/new/",
        {
            "line_id": subsidy.pk,
            "matter_kind": "clue",
            "matter_id": matter.pk,
            "amount": "800.00",
            "purpose": "办案补助",
        },
    )
    claim = Claim.objects.get(matter_id=matter.pk)
    assert answer.status_code == 302 and claim.amount == Decimal("800.00")
    page.post(f"/funds/claims/{claim.pk}/act/", {"action": "submit"})
    claim = approve_claim(claim)
    manager = login(Client(), "anguan")
    manager.post(f"/funds/claims/{claim.pk}/act/", {"action": "pay"})
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    body = manager.get(f"/funds/budgets/{found.pk}/").content.decode()
    assert "800.00" in body
    assert manager.get(f"/funds/claims/{claim.pk}/").status_code == 200
    assert login(Client(), "xzganbu").get(f"/funds/claims/{claim.pk}/").status_code == 404
    assert login(Client(), "zuzhang2").get(f"/funds/budgets/{found.pk}/").status_code == 404
    # Over the line: refused with the Chinese message on the page, nothing changes.
    big = draft(subsidy, matter, "9999.00")
    answer = page.post(f"/funds/claims/{big.pk}/act/", {"action": "submit"}, follow=True)
    assert "科目余额只有" in answer.content.decode()
    big.refresh_from_db()
    assert big.state == ClaimState.DRAFT


def test_the_budget_page_warns_at_80_percent(demo):
    found = budget(other="1000.00")
    claim = services.submit_claim(
        actor=demo_actor("xzshuji"), claim_id=draft(line(found, "other"), clue(), "850.00").pk
    )
    assert claim.state == ClaimState.SUBMITTED
    body = login(Client(), "zuzhang1").get(f"/funds/budgets/{found.pk}/").content.decode()
    assert "已达80%预警" in body


def test_the_vehicle_pages_book_drive_and_claim(demo):
    budget()
    car = vehicle()
    matter = clue()
    page = login(Client(), "xzshuji")
    assert page.get("/funds/vehicles/").status_code == 200
    answer = page.post(
        "/funds/bookings/new/",
        {
            "vehicle_id": car.pk,
            "driver_id": driver().pk,
            "matter_kind": "clue",
            "matter_id": matter.pk,
            "starts_at": at(1).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(3).strftime("%Y-%m-%dT%H:%M"),
            "destination": "宝山镇",
        },
    )
    assert answer.status_code == 302
    booking_id = int(answer["Location"].rstrip("/").split("/")[-1])
    page.post(
        f"/funds/bookings/{booking_id}/act/",
        {"action": "trip", "odometer_start": "1000", "odometer_end": "1040", "cost": "66.00"},
    )
    answer = page.post(f"/funds/bookings/{booking_id}/act/", {"action": "claim"})
    claim = Claim.objects.get(trip__booking_id=booking_id)
    assert answer.status_code == 302 and claim.amount == Decimal("66.00")
    assert page.get(f"/funds/vehicles/{car.pk}/").status_code == 200
    assert page.get(f"/funds/bookings/{booking_id}/").status_code == 200


def test_the_api_runs_the_same_flow_with_problem_json_refusals(demo):
    found = budget()
    subsidy = line(found)
    matter = clue()
    staff = _api("xzshuji")
    answer = staff.post(
        "/api/v1/funds/claims",
        {"line_id": subsidy.pk, "matter_kind": "clue", "matter_id": matter.pk, "amount": "300.00", "purpose": "补助"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    claim_id = answer.json()["id"]
    assert answer.json()["amount"] == "300.00"
    assert staff.post(f"/api/v1/funds/claims/{claim_id}/submit").json()["state"] == "submitted"
    approve_claim(Claim.objects.get(pk=claim_id))
    manager = _api("anguan")
    assert manager.post(f"/api/v1/funds/claims/{claim_id}/pay").json()["state"] == "paid"
    answer = manager.post(
        f"/api/v1/funds/claims/{claim_id}/reverse", {"reason": "重复报销"}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["amount"] == "-300.00"
    budgets = manager.get("/api/v1/funds/budgets").json()
    [row] = [b for b in budgets if b["id"] == found.pk]
    assert {ln["kind"]: ln["spent"] for ln in row["lines"]}["办案补助"] == "0.00"
    over = staff.post(
        "/api/v1/funds/claims",
        {"line_id": subsidy.pk, "matter_kind": "clue", "matter_id": matter.pk, "amount": "20000.00", "purpose": "x"},
        content_type="application/json",
    ).json()["id"]
    refused = staff.post(f"/api/v1/funds/claims/{over}/submit")
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert "科目余额只有" in refused.json()["detail"]
    assert _api("xzganbu").get(f"/api/v1/funds/claims/{claim_id}").status_code == 404
    # Vehicles and bookings.
    car = manager.post(
        "/api/v1/funds/vehicles",
        {"plate": "辽F·A0009", "seats": 7, "odometer_km": 200},
        content_type="application/json",
    ).json()
    payload = {
        "vehicle_id": car["id"],
        "driver_id": driver().pk,
        "matter_kind": "clue",
        "matter_id": matter.pk,
        "starts_at": at(1).isoformat(),
        "ends_at": at(2).isoformat(),
        "destination": "东汤镇",
    }
    booked = staff.post("/api/v1/funds/bookings", payload, content_type="application/json")
    assert booked.status_code == 201, booked.content
    clash = staff.post("/api/v1/funds/bookings", payload, content_type="application/json")
    assert clash.status_code == 422 and "已有预约" in clash.json()["detail"]
    booking_id = booked.json()["id"]
    down = staff.post(
        f"/api/v1/funds/bookings/{booking_id}/trip",
        {"odometer_start": 100, "odometer_end": 150},
        content_type="application/json",
    )
    assert down.status_code == 422 and "不能小于它" in down.json()["detail"]
    trip = staff.post(
        f"/api/v1/funds/bookings/{booking_id}/trip",
        {"odometer_start": 200, "odometer_end": 260, "cost": "90.00"},
        content_type="application/json",
    )
    assert trip.status_code == 201
    claimed = staff.post(f"/api/v1/funds/bookings/{booking_id}/claim")
    assert claimed.status_code == 201 and claimed.json()["line"] == "交通"


def _rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)]


def test_the_ledgers_totals_are_the_sums_of_their_rows(demo):
    found = budget()
    matter = clue()
    subsidy, transport = line(found), line(found, "transport")
    paid = approve_claim(
        services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(subsidy, matter, "1234.56").pk)
    )
    services.pay_claim(actor=demo_actor("anguan"), claim_id=paid.pk)
    services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(transport, matter, "99.99").pk)
    draft(subsidy, matter, "50.00")  # a draft is not in the ledger
    manager = login(Client(), "anguan")
    answer = manager.get(f"/funds/budgets/{found.pk}/funds-ledger.xlsx")
    assert answer.status_code == 200
    rows = _rows(answer.content)
    body, total = rows[:-1], rows[-1]
    assert total[0] == "合计" and len(body) == 2
    assert Decimal(str(total[8])) == sum(Decimal(str(r[8])) for r in body) == Decimal("1234.56")
    assert Decimal(str(total[9])) == sum(Decimal(str(r[9])) for r in body) == Decimal("99.99")
    car = vehicle()
    for start, odo, cost in ((1, 1000, "10.10"), (5, 1100, "20.20")):
        booking = services.book_vehicle(
            actor=demo_actor("xzshuji"),
            data=services.BookingInput(
                vehicle_id=car.pk,
                driver_id=driver().pk,
                matter_kind="clue",
                matter_id=matter.pk,
                starts_at=at(start),
                ends_at=at(start + 2),
                destination="宝山镇",
            ),
        )
        services.record_trip(
            actor=demo_actor("xzshuji"), booking_id=booking.pk, odometer_start=odo, odometer_end=odo + 33, cost=cost
        )
    rows = _rows(manager.get(f"/funds/budgets/{found.pk}/vehicle-ledger.xlsx").content)
    body, total = rows[:-1], rows[-1]
    assert len(body) == 2 and total[8] == sum(r[8] for r in body) == 66
    assert Decimal(str(total[9])) == sum(Decimal(str(r[9])) for r in body) == Decimal("30.30")
