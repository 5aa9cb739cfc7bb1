"""工作台: every role's ``/`` is its work queue — what waits for them, counted kind by kind, each row one
click from where the work is done — and no menu entry or link on home, queue and deadline pages answers
403 or 404 to the person it is shown to.

The demo county with reports, casework and a small caseload is loaded once for the class (as in
tests/demo/test_demo_caseload.py), so every role has real work waiting.
"""

from __future__ import annotations

import re
import tempfile

from django.test import Client, TestCase, override_settings

from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.demo.caseload import load_demo_caseload
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.services import load_demo
from xiezuoqu.web.context import nav_for
from xiezuoqu.web.home import work_for

LOGINS = [username for username, _, _ in DEMO_LOGINS]
LINK = re.compile(r'href="(/[^"#]*)"')
# Links that are not pages to open: leaving, static files, the bell's fragment, file downloads.
SKIP = re.compile(r"^/(static|media)/|^/accounts/logout|\.(docx|xlsx|pdf|zip|csv)(\?|$)")
# What each role's home must offer (the kinds the role acts on), with the demo's work behind it.
EXPECTED_KINDS = {
    "dengji": {"待登记", "待受理归口", "时限预警（红、黄）"},
    "xinfang": {"待受理归口", "待我审批"},
    "zuzhang1": {"办理方式申请待决定", "立案呈批待上会", "督办单", "待我审批"},  # 督办单: a quiet kind
    "shuji": {"待我审批", "回避申请待决定", "立案待有权机关决定"},
    "xzshuji": {"待受理归口", "立案待有权机关决定", "我参加的初步核实"},
    "shenli": {"待审理案件", "处分变更待登记"},
    "anguan": {"措施使用待审核", "督办单"},
}


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="xiezuoqu-home-"))
class HomeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_demo()
        load_demo_reports(count=60)
        load_demo_casework()
        load_demo_caseload(cases=8)

    def login(self, username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    def test_the_home_is_the_work_queue_not_the_org_chart(self) -> None:
        for username in LOGINS:
            response = self.login(username).get("/", follow=True)
            assert response.status_code == 200, username
            page = response.content.decode()
            if username in ("shenji", "jianduyuan"):  # the audit log; the supervisor's own page
                assert response.redirect_chain, username
                continue
            assert "工作台" in page and "组织架构图" not in page.split("<main>")[1][:200], username

    def test_each_role_sees_its_kinds_of_work_with_counts_that_match_the_rows(self) -> None:
        for username, kinds in EXPECTED_KINDS.items():
            work = {w.label: w for w in work_for(build_actor(User.objects.get(username=username)))}
            assert kinds <= set(work), (username, kinds - set(work))
            page = self.login(username).get("/").content.decode()
            for w in work.values():
                if not w.shown:  # occasional work with nothing waiting: no tile
                    continue
                assert w.label in page, (username, w.label)
                assert len(w.rows) == min(w.count, 8), (username, w.label)
                assert f">{w.count_text}<" in page, (username, w.label)

    def test_the_home_costs_a_bounded_number_of_queries_whatever_the_work(self) -> None:
        """A fixed number of queries per kind (count and first rows), never one per row."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for username in ("anguan", "zuzhang1", "dengji", "shenli", "xzshuji"):
            client = self.login(username)
            client.get("/")
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/").status_code == 200
            assert len(queries) <= 40, (username, len(queries))

    def test_the_work_queue_has_work_waiting_in_the_demo(self) -> None:
        """Not an empty shell: the roles that carry the demo's open matters have something to do."""
        for username in ("anguan", "shenli", "xzshuji", "jianchashi1"):
            work = work_for(build_actor(User.objects.get(username=username)))
            assert sum(w.count for w in work) > 0, username

    def test_new_reports_wait_on_the_registrars_home_and_lead_to_where_they_are_registered_and_routed(self) -> None:
        from xiezuoqu.intake import services
        from xiezuoqu.intake.models import Category
        from xiezuoqu.org.models import Commission

        commission = Commission.objects.get(is_demo=True)
        received, _ = services.submit_public_report(
            commission=commission,
            summary="反映某站所吃拿卡要",
            content="办事时多次收受购物卡。",
            category=Category.WORK,
        )
        client = self.login("dengji")
        before = {w.key: w.count for w in work_for(build_actor(User.objects.get(username="dengji")))}
        assert before["received"] >= 1
        page = client.get("/").content.decode()
        assert f'href="/intake/received/{received.pk}/"' in page
        assert client.get(f"/intake/received/{received.pk}/").status_code == 200
        registered = services.register_received_report(
            actor=build_actor(User.objects.get(username="dengji")), report_id=received.pk
        )
        after = {w.key: w for w in work_for(build_actor(User.objects.get(username="dengji")))}
        assert after["received"].count == before["received"] - 1
        assert after["route"].count == before["route"] + 1
        assert f'href="/intake/{registered.pk}/"' in client.get("/").content.decode()

    def test_a_row_appears_only_for_who_may_act_on_it(self) -> None:
        """待受理归口 of a township: its routers and the petition office, not another township."""
        from xiezuoqu.intake.models import Report
        from xiezuoqu.intake.selectors import may_route

        for username in ("xzshuji", "xzshuji2", "xinfang", "shenli"):
            actor = build_actor(User.objects.get(username=username))
            work = {w.key: w for w in work_for(actor)}
            for row in work["route"].rows if "route" in work else []:
                report = Report.objects.get(pk=int(row.url.rstrip("/").rsplit("/", 1)[1]))
                assert may_route(actor, report), (username, row.url)

    def test_no_menu_entry_or_link_on_home_queue_and_deadline_pages_answers_403_or_404(self) -> None:
        for username in LOGINS:
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            pages = ["/", *(item["url"] for item in nav_for(actor, "/"))]
            seen: set[str] = set()
            for url in pages:
                response = client.get(url, follow=True)
                assert response.status_code == 200, (username, url, response.status_code)
                seen.add(url)
                if url in ("/", "/deadlines/", "/deadlines/overdue/", "/approvals/"):
                    links = [h for h in LINK.findall(response.content.decode()) if not SKIP.search(h)]
                    for href in list(dict.fromkeys(links))[:80]:
                        if href in seen:
                            continue
                        seen.add(href)
                        answer = client.get(href.replace("&amp;", "&"))
                        assert answer.status_code not in (403, 404, 500), (username, url, href, answer.status_code)
