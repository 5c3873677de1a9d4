from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_pledge(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.access.models import PledgeText
    from edureg.access.pledge_seed import PLEDGE_V1_EN, PLEDGE_V1_LT, PLEDGE_V1_VALID_FROM
    from edureg.core.context import Actor, acting_as

    if PledgeText.objects.exists():
        return
    with acting_as(Actor.system("reference-data")):
        PledgeText.objects.create(
            version=1, text_lt=PLEDGE_V1_LT, text_en=PLEDGE_V1_EN, valid_from=PLEDGE_V1_VALID_FROM
        )


class AccessConfig(AppConfig):
    name = "edureg.access"
    label = "access"
    verbose_name = _("Access control")

    def ready(self) -> None:
        from edureg.access import scoping
        from edureg.access.readers import describe_reader
        from edureg.core import rights
        from edureg.core.audit import reader_describer_set

        post_migrate.connect(_seed_pledge, sender=self)
        reader_describer_set(describe_reader)

        def manager_of(actor: Any, area: str, national: bool) -> None:
            scoping.require(actor, area, national=national)

        rights.register(manager_of)
