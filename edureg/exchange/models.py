"""Tables of the data exchange. The app's parts keep their tables in modules of their own
(imports, agreements, the change feed, inbound feeds), gathered here so Django finds them."""

from edureg.exchange.agreement_models import Agreement  # noqa: F401
from edureg.exchange.change_models import Change, ChangeAudience  # noqa: F401
from edureg.exchange.import_models import ImportRow, ImportRun  # noqa: F401
from edureg.exchange.query_models import MassQuery  # noqa: F401
