"""Who sees 统计 (the menu's test, read from the actor alone: no query on every page).

The figures of a level are counts of rows its viewer may see, so a level is offered to whoever reads
its matters: the commission to the commission-wide roles; a zone to its leader, deputies and its
inspection office's staff (``zone_reader_zone_ids``, as for the zone's reports and clues); a township to
its 纪委书记. Others (a township cadre, a registrar, a dispatched group's cadre, the administrators, a
village supervisor) have no level, and the page answers 404 to them as to any page out of reach.
"""

from __future__ import annotations

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role

STATISTICS_ZONE_AND_TOWNSHIP_ROLES = frozenset(
    {Role.ZONE_LEADER, Role.ZONE_DEPUTY, Role.INSPECTION_STAFF, Role.TOWNSHIP_SECRETARY}
)


def may_see_statistics(actor: Actor) -> bool:
    if actor.is_admin or not actor.is_staff_worker or actor.commission_id is None:
        return False
    if actor.is_commission_wide:
        return True
    zones = actor.led_zone_ids | actor.deputy_zone_ids
    if actor.has(Role.INSPECTION_STAFF):
        zones |= actor.office_zone_ids
    return bool(zones) or bool(actor.units_for_role(Role.TOWNSHIP_SECRETARY))
