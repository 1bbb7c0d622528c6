"""The demo wipe removes residents' data-rights requests before the residents they protect."""

from shezhi.demo import seeding
from shezhi.privacy import services
from shezhi.privacy.models import RightsRequest


def test_the_demo_wipe_clears_requests_too(world):
    services.rights_request_create(
        actor=world.dora, resident=world.dora_resident, kind=RightsRequest.Kind.ACCESS
    )
    seeding.wipe()
    assert not RightsRequest.objects.exists()
