"""Where an application is received and where it is handled.

The default: handled by the matter's own department in the matter's region, received where the
applicant is (online: the matter's region; at a hall: the hall's region). A matter may be received
at a hall below its own region (省级批发、市县零售). Cross-region rules (通办 scope and mode)
replace :data:`router` with a richer one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from catalogue.elements import MatterElements
from core.errors import ProblemError
from regions import tree as regions


class Route(msgspec.Struct, frozen=True):
    receiving_region: str
    handling_region: str
    mode: str = "local"  # local | online | proxy_receive | multi_region | federation


async def default_router(
    elements: MatterElements, *, applicant_region: str, receiving_region: str | None, channel: str
) -> Route:
    tree = await regions.tree()
    handling = elements.region_code
    receiving = receiving_region or handling
    if receiving not in tree:
        raise ProblemError("region_invalid", field="receiving_region")
    # A hall may receive its own region's matters and those of every region above it.
    if handling not in tree.ancestors(receiving) and receiving != handling:
        raise ProblemError("matter_not_offered", field="receiving_region")
    return Route(receiving, handling, "local" if receiving == handling else "online")


Router = Callable[..., Awaitable[Route]]
router: Router = default_router


def use(custom: Router) -> None:
    global router
    router = custom
