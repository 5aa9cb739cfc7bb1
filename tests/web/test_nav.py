"""The top bar groups its entries into menus by role; a menu with one entry is a plain link."""

from __future__ import annotations

import pytest

from xiezuoqu.web.context import nav_for, nav_groups

pytestmark = pytest.mark.django_db


def test_a_zone_leader_sees_work_menus_and_no_administration(demo):
    groups = {g["label"]: [i["label"] for i in g["items"]] for g in nav_groups(nav_for(demo.actor("zuzhang1"), "/"))}
    assert "问题线索" in groups["线索"] and "回避与干预" in groups["线索"]
    assert "超期督办" in groups["时限"]
    assert "管理" not in groups


def test_the_audit_administrator_sees_only_the_audit_log_and_calendar_and_org(demo):
    labels = [i["label"] for i in nav_for(demo.actor("shenji"), "/")]
    assert "审计日志" in labels and "问题线索" not in labels and "信访台账" not in labels


def test_the_menu_of_the_current_page_is_marked_active(demo):
    groups = nav_groups(nav_for(demo.actor("zuzhang1"), "/recusal/"))
    [active] = [g for g in groups if g["active"]]
    assert active["label"] == "线索"
