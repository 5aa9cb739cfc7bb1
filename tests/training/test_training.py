"""The training record (以干代训, 一帮二): turns counted from the teams, the too-few flag, the mentor's
assessment (only the mentor or the zone leader, only after the matter, edits kept), the scope of the
record and the zone page, bad input refused in Chinese with nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.intake.conftest import demo_actor, login
from tests.training.conftest import LEADER, MENTOR, baiqi_trainee, confirmed_team, mentor_staff, trainee_seat
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Commission, StaffMember, Zone
from xiezuoqu.teams import services as teams
from xiezuoqu.teams.models import MemberRole
from xiezuoqu.training import selectors, services
from xiezuoqu.training.models import Assessment, AssessmentRevision, Cadre, Level

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def zone_one() -> Zone:
    return Zone.objects.filter(commission__is_demo=True).order_by("number")[0]


def level(code: str = "assist") -> Level:
    return Level.objects.get(commission__is_demo=True, code=code)


def assess(seat, username: str = MENTOR, **kw):  # type: ignore[no-untyped-def]
    values = {"work_done": "参与谈话记录，调取村集体账目", "ready_for": "谈话记录", "level": level().pk, **kw}
    return services.record_assessment(actor=demo_actor(username), seat_id=seat.pk, **values)


# --- counts ----------------------------------------------------------------------------------------------------


def test_turns_are_counted_per_cadre_and_township_and_too_few_are_flagged(demo):
    trainee = baiqi_trainee()
    before = selectors.zone_training(zone_one(), YEAR)
    row = next(r for r in before.rows if r.cadre.pk == trainee.pk)
    assert (row.turns, row.too_few) == (0, True) and before.min_turns == 2

    trainee_seat()
    data = selectors.zone_training(zone_one(), YEAR)
    row = next(r for r in data.rows if r.cadre.pk == trainee.pk)
    assert (row.turns, row.total, row.too_few) == (1, 1, True)
    assert row in data.too_few
    assert row.mentor == mentor_staff()

    trainee_seat(close=False)  # a second turn, still working: it counts in the year
    data = selectors.zone_training(zone_one(), YEAR)
    row = next(r for r in data.rows if r.cadre.pk == trainee.pk)
    assert (row.turns, row.too_few) == (2, False)
    township = next(t for t in data.townships if t.unit.pk == trainee.home_unit_id)
    assert township.turns == sum(r.turns for r in data.rows if r.cadre.home_unit_id == trainee.home_unit_id)
    assert township.too_few == sum(r.too_few for r in data.rows if r.cadre.home_unit_id == trainee.home_unit_id)
    assert selectors.turn_counts([trainee.pk], YEAR - 1) == {}

    services.set_min_turns(actor=demo_actor("anguan"), min_turns="3")
    data = selectors.zone_training(zone_one(), YEAR)
    assert data.min_turns == 3 and next(r for r in data.rows if r.cadre.pk == trainee.pk).too_few


def test_a_proposal_never_confirmed_is_no_turn(demo):
    from tests.teams.conftest import verifying_clue

    trainee = baiqi_trainee()
    clue = verifying_clue()
    teams.propose_team(actor=demo_actor(LEADER), clue_id=clue.pk, mode="joint", size=3, trainee_seats=2)
    assert selectors.turn_counts([trainee.pk]) == {}


def test_the_minimum_is_set_by_the_commission_only_and_checked(demo):
    with pytest.raises(NotPermitted):
        services.set_min_turns(actor=demo_actor(LEADER), min_turns="3")
    with pytest.raises(ValidationFailed, match="1 至 50"):
        services.set_min_turns(actor=demo_actor("anguan"), min_turns="零")
    assert selectors.policy_of(Commission.objects.get(is_demo=True).pk).min_turns == 2


# --- assessments -----------------------------------------------------------------------------------------------


def test_the_mentor_assesses_and_an_edit_keeps_the_former_version(demo):
    seat = trainee_seat()
    first = assess(seat)
    assert (first.mentor_id, first.version, first.level.code) == (mentor_staff().pk, 1, "assist")
    edited = assess(seat, LEADER, work_done="独立完成两名证人的谈话", level=level("independent").pk)
    assert edited.pk == first.pk and edited.version == 2
    [old] = AssessmentRevision.objects.filter(assessment=first)
    assert (old.version, old.work_done, old.level.code) == (1, "参与谈话记录，调取村集体账目", "assist")
    actions = list(
        AuditEvent.objects.filter(target_type="training.assessment", target_id=str(first.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["assessment.written", "assessment.edited"]
    assert Assessment.objects.filter(seat=seat).count() == 1  # one per trainee seat


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("fuzuzhang1", NotPermitted),
        ("xzshuji", NotPermitted),
        ("xzshuji2", NotFound),
        ("zuzhang2", NotFound),
        ("anguan", NotPermitted),
    ],
)
def test_only_the_mentor_or_the_zone_leader_may_assess(demo, username, error):
    seat = trainee_seat()
    with pytest.raises(error):
        assess(seat, username)
    assert not Assessment.objects.filter(seat=seat).exists()


def test_no_assessment_while_the_trainee_still_works_the_matter(demo):
    seat = trainee_seat(close=False)
    with pytest.raises(RuleViolation, match="仍在办理"):
        assess(seat)
    teams.dissolve_team(actor=demo_actor(LEADER), team_id=seat.team_id, reason="线索已了结")
    assert assess(seat).version == 1  # the team ended: the matter is over


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"work_done": "  "}, "work_done"),
        ({"level": "99999"}, "level"),
        ({"level": ""}, "level"),
        ({"ready_for": "长" * 2001}, "ready_for"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(demo, values, field):
    seat = trainee_seat()
    with pytest.raises(ValidationFailed) as caught:
        assess(seat, **values)
    assert field in caught.value.field_errors
    assert any(word in caught.value.message for word in ("请", "不能"))
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.written").exists()


def test_a_retired_level_cannot_be_chosen_and_new_levels_are_added_by_the_commission(demo):
    seat = trainee_seat()
    manager = demo_actor("anguan")
    services.set_level_active(actor=manager, level_id=level("assist").pk, active=False)
    with pytest.raises(ValidationFailed):
        assess(seat, level="assist")
    added = services.add_level(actor=manager, code="expert", name="骨干", description="可牵头承办复杂线索")
    assert assess(seat, level="expert").level == added
    with pytest.raises(ValidationFailed):
        services.add_level(actor=manager, code="expert", name="骨干二")
    with pytest.raises(ValidationFailed):
        services.add_level(actor=manager, code="带教", name="新等级")
    with pytest.raises(NotPermitted):
        services.add_level(actor=demo_actor(LEADER), code="x", name="新等级")


def test_a_new_commission_starts_with_the_default_scale(demo):
    commission = Commission.objects.create(name="测试县纪委监委", short_name="测纪")
    assert [lv.name for lv in selectors.levels_of(commission.pk)] == ["见习", "能协助", "可独立承办", "可带教"]
    assert selectors.policy_of(commission.pk).min_turns == 2


# --- scope -----------------------------------------------------------------------------------------------------


def test_a_cadre_reads_their_own_record_the_zone_leader_their_zone_the_commission_everything(demo):
    trainee = baiqi_trainee()
    own = User.objects.get(username="xzganbu").staff_id

    def visible(username: str) -> set[int]:
        return set(selectors.cadres_visible_to(demo_actor(username)).values_list("pk", flat=True))

    assert visible("xzganbu") == {own}
    assert trainee.pk in visible(LEADER) and trainee.pk in visible("fuzuzhang1")
    assert trainee.pk not in visible("zuzhang2") and trainee.pk not in visible(MENTOR)
    assert visible("shuji") == set(StaffMember.objects.filter(commission__is_demo=True).values_list("pk", flat=True))
    assert visible("xitong") == set() and visible("jianduyuan") == set()


def test_scope_and_predicate_agree_with_assessments_present(demo):
    assess(trainee_seat())
    for username in ("xzganbu", MENTOR, LEADER, "zuzhang2", "fuzuzhang1", "shuji", "anguan", "xitong", "xzshuji"):
        actor = demo_actor(username)
        for model in (Cadre, Assessment):
            policy = POLICIES[model]
            scoped = set(policy.scope(actor).values_list("pk", flat=True))
            predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
            assert scoped == predicate, (username, model)
    assert selectors.assessments_visible_to(demo_actor(MENTOR)).exists()  # the mentor reads what they wrote
    assert not selectors.assessments_visible_to(demo_actor("zuzhang2")).exists()


def test_record_page_shows_the_turn_and_is_audited_and_refused_outside(demo, client: Client):
    seat = trainee_seat()
    assess(seat)
    login(client, LEADER)
    answer = client.get(f"/training/cadres/{seat.staff_id}/")
    body = answer.content.decode()
    assert answer.status_code == 200
    assert seat.team.clue.ledger_number in body and "能协助" in body and mentor_staff().name in body
    assert AuditEvent.objects.filter(action="training_record.viewed", target_id=str(seat.staff_id)).exists()
    assert AuditEvent.objects.filter(action="assessment.viewed").exists()
    assert client.get(f"/training/zones/{zone_one().pk}/").status_code == 200

    other = Client()
    login(other, "xzganbu")
    assert other.get(f"/training/cadres/{User.objects.get(username='xzganbu').staff_id}/").status_code == 200
    assert other.get(f"/training/cadres/{seat.staff_id}/").status_code == 404
    assert AuditEvent.objects.filter(
        outcome=AuditEvent.Outcome.REFUSED, target_id=str(seat.staff_id), actor_name="xzganbu"
    ).exists()
    assert other.get(f"/training/zones/{zone_one().pk}/").status_code == 404
    assert other.get(f"/training/seats/{seat.pk}/assess/").status_code == 404


def test_zone_page_flags_too_few(demo, client: Client):
    trainee = baiqi_trainee()
    login(client, "shuji")
    body = client.get(f"/training/zones/{zone_one().pk}/").content.decode()
    assert "次数不足" in body and trainee.name in body
    zone_two = Zone.objects.filter(commission__is_demo=True).order_by("number")[1]
    leader = Client()
    login(leader, LEADER)
    assert leader.get(f"/training/zones/{zone_two.pk}/").status_code == 404
    assert leader.get("/training/").status_code == 200


def test_the_assessment_form_saves_and_bad_input_is_shown_in_chinese(demo, client: Client):
    seat = trainee_seat()
    login(client, MENTOR)
    url = f"/training/seats/{seat.pk}/assess/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"work_done": "", "ready_for": "", "level": str(level().pk)})
    assert bad.status_code == 422 and "请填写承担的工作" in bad.content.decode()
    assert not Assessment.objects.exists()
    good = client.post(url, {"work_done": "整理谈话笔录", "ready_for": "", "level": str(level().pk)})
    assert good.status_code == 302
    assert Assessment.objects.get(seat=seat).work_done == "整理谈话笔录"


# --- API -------------------------------------------------------------------------------------------------------


def test_api_record_and_assessment(demo, client: Client):
    seat = trainee_seat()
    login(client, MENTOR)
    url = f"/api/v1/training/seats/{seat.pk}/assessment"
    bad = client.post(url, {"work_done": "", "level": "assist"}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert "请填写" in bad.json()["detail"] and not Assessment.objects.exists()
    made = client.post(url, {"work_done": "调取账目", "level": "assist"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["level_name"] == "能协助"

    leader = Client()
    login(leader, LEADER)
    record = leader.get(f"/api/v1/training/cadres/{seat.staff_id}").json()
    [turn] = record["turns"]
    assert turn["seat_id"] == seat.pk and turn["closed"] and turn["assessment"]["work_done"] == "调取账目"
    assert record["turns_this_year"] == 1 and record["too_few"]
    zone = leader.get(f"/api/v1/training/zones/{zone_one().pk}").json()
    assert next(c for c in zone["cadres"] if c["staff_id"] == seat.staff_id)["turns"] == 1

    outsider = Client()
    login(outsider, "zuzhang2")
    assert outsider.get(f"/api/v1/training/cadres/{seat.staff_id}").status_code == 404
    refused = outsider.post(url, {"work_done": "x", "level": "assist"}, content_type="application/json")
    assert refused.status_code == 404 and Assessment.objects.get().version == 1


# --- pairing changes -------------------------------------------------------------------------------------------


def test_seating_a_trainee_beside_a_mentor_is_audited(demo):
    team = confirmed_team()
    mentor, trainee = mentor_staff(), baiqi_trainee()
    on_team = set(team.members.values_list("staff_id", flat=True))
    add = [] if mentor.pk in on_team else [teams.MemberInput(mentor.pk, MemberRole.MEMBER)]
    add.append(teams.MemberInput(trainee.pk, MemberRole.TRAINEE, mentor.pk))
    teams.edit_team(actor=demo_actor(LEADER), team_id=team.pk, reason="以干代训", add=add)
    event = AuditEvent.objects.filter(action="team.edited", target_id=str(team.pk)).latest("seq")
    assert event.changes["mentor"] == {str(trainee.pk): [None, mentor.pk]}
