"""Realistic report texts for the duplicate tests, and quick ways to index and to act.

The texts are invented. ``ORIGINAL`` is a 扶贫 embezzlement report about a village secretary;
``RESUBMITTED`` is the same letter sent again a month later (a line added, one sentence changed);
``REPHRASED`` is the same allegation reworded, the witnesses' names written differently; ``RETOLD``
is the same allegation told by another villager in other words; ``OTHER_MATTER`` accuses the same
secretary of something else; ``UNRELATED`` is about another person, township and problem.
"""

from __future__ import annotations

import pytest

from tests.factories import make_commission, make_user
from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.models import Commission

ORIGINAL = (
    "我是宝山镇大堡村的村民，现实名举报本村党支部书记王德福侵吞扶贫资金的问题。"
    "2024年镇里给我村脱贫户发放产业扶持资金，每户5000元，共23户。王德福以“统一购买鸡苗”为名，"
    "把这笔钱全部截留在村里，只给每户发了20只鸡苗，剩下的钱至今没有说法，群众估算被他截留了8万多元。"
    "另外，王德福把他的小舅子李长生纳入监测户，连续两年领取低保金，而李长生家有两台货车，根本不符合条件。"
    "村民赵玉兰、孙广义都知道这件事，账目在镇经管站可以查到。请上级纪委调查处理，还群众一个公道。"
)
RESUBMITTED = (
    "我是宝山镇大堡村的村民，现实名举报本村党支部书记王德福侵吞扶贫资金的问题。"
    "上个月我已经反映过一次，至今没有任何答复，现再次举报。"
    "2024年镇里给我村脱贫户发放产业扶持资金，每户5000元，共23户。王德福以“统一购买鸡苗”为名，"
    "把这笔钱全部截留在村里，只给每户发了20只鸡苗，剩下的钱至今没有说法，群众估算被他截留了8万多元。"
    "另外，王德福把他的小舅子李长生纳入监测户，连续两年领取低保金，而李长生家有两台货车，根本不符合条件。"
    "村民赵玉兰、孙广义都知道这件事，账目在镇经管站可以查到。恳请纪委尽快派人核实。"
)
REPHRASED = (
    "本人是宝山镇大堡村村民，实名举报村党支部书记王德福侵吞扶贫资金。"
    "2024年镇里给我村脱贫户发放产业扶持资金，每户5000元，共23户。王德福以“统一购买鸡苗”为名，"
    "把这笔钱都截留在村里，每户只发了20只鸡苗，剩下的钱到现在也没有说法，大家估算被他截留了8万多元。"
    "王德福还把小舅子李常生纳入监测户，连续两年领取低保金，可李家有两台货车，根本不符合条件。"
    "村民赵玉然、孙光义都知道这件事，账目在镇经管站可以查到。请纪委调查处理。"
)
RETOLD = (
    "反映宝山镇大堡村党支部书记王德福的问题：2024年镇里给村里23户脱贫户发放产业扶持资金，每户5000元，"
    "王德福以统一购买鸡苗为名，把钱全部截留在村里，每户只发了20只鸡苗，剩下的钱没有说法，"
    "估计被他截留了8万多元。他还把小舅子李常生纳入监测户，连续两年领低保，李家有两台货车，根本不符合条件。"
    "村民赵玉然、孙光义可以作证。"
)
OTHER_MATTER = (
    "举报大堡村党支部书记王德福违规操办儿子婚宴的问题。今年国庆期间，王德福在镇上的酒店为儿子大办婚礼，"
    "摆了四十多桌酒席，村里的承包商和各组组长都去随了礼，少的五百，多的两千。"
    "婚车用的是村里的公车，油费也在村里报了。希望纪委严肃查处这种大操大办的歪风。"
)
UNRELATED = (
    "反映红旗镇农经站站长刘建国的问题。刘建国在审核耕地地力保护补贴时，帮助其亲属虚报种植面积一百二十亩，"
    "多领补贴一万余元；对群众来办事的冷眼相待，推诿扯皮，老百姓跑了五六趟都办不成。请组织调查。"
)


def staff_actor(commission: Commission, *roles: str) -> Actor:
    user = make_user(*(roles or (Role.PETITION_STAFF,)), commission=commission)
    return build_actor(user)


@pytest.fixture
def commission(db) -> Commission:  # type: ignore[no-untyped-def]
    return make_commission()


@pytest.fixture
def other_commission(db) -> Commission:  # type: ignore[no-untyped-def]
    return make_commission()
