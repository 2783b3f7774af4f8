"""The control loop as a serving process runs it: the real problem source, profile sending
and station presence behind `ports`."""

from fleetcharge.csms.routing import StationRouter


class RouterPresences:
    """The stations connected to any process (the router knows them all with Redis)."""

    def __init__(self, router: StationRouter) -> None:
        self.router = router

    async def connected_identities(self) -> set[str]:
        return {presence.identity for presence in await self.router.connected()}
