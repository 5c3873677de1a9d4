"""Field-level scope of recipients' systems: what a data-provision agreement lets them receive.

A system client bound to one or more data-provision agreements (or written requests) is a
*recipient*. Its rows are scoped by its role assignments like any client's; its fields by the
agreements in force today: for each data set, the fields the agreements name. Everything else
is refused by default:

- without an agreement in force, every API request answers 403 (`RecipientPermission`);
- an endpoint that declares no data set (`agreement_dataset` on the view or its serializer), or
  one whose data set no agreement in force names, answers 403;
- a recipient only reads: a write answers 403 (a view that asks for a read by POST, a mass
  query, says so with `agreement_read_by_post`);
- a serializer that mixes in `AgreementFieldsMixin` drops every field outside the data set's
  allowed fields, nested ones included.

The agreements live in the `exchange` app, above this layer: it installs the function that
loads a client's terms (`terms_loader_set`), as `core.audit` has its reader describer installed.
The terms are read again for every request (the client's binding object is loaded per request
by `access.oauth`), so a suspension or an expiry takes effect on the next request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from edureg.core.context import Actor, ActorKind

# --- Data sets ---------------------------------------------------------------------------------

# The data sets an agreement may name, in words; a serializer declares which one it shows.
DATASET_LABELS: dict[str, Promise] = {
    "persons": _("persons (identity data)"),
    "enrolments": _("pupils' enrolments"),
    "study_rights": _("students' study rights"),
}
_SERIALIZERS: dict[str, type] = {}


def dataset_serializer_register(dataset: str, serializer: type) -> None:
    if dataset not in DATASET_LABELS:
        raise ValueError(f"unknown agreement data set {dataset!r}")
    _SERIALIZERS.setdefault(dataset, serializer)


def _load_api_serializers() -> None:
    """The registers' API serializers declare the data sets; import them so all are known."""
    import edureg.people.api.serializers
    import edureg.pupils.api.serializers
    import edureg.students.api.serializers  # noqa: F401


def dataset_fields(dataset: str) -> dict[str, str]:
    """The fields of a data set (name -> label), in the order the API answers them."""
    _load_api_serializers()
    serializer = _SERIALIZERS.get(dataset)
    if serializer is None:
        return {}
    fields = serializer._declared_and_meta_fields()  # type: ignore[attr-defined]
    return {name: str(f.label or name.replace("_", " ")) for name, f in fields.items()}


def datasets() -> dict[str, dict[str, str]]:
    """Every data set with its fields: what the agreement form offers to choose from."""
    return {dataset: dataset_fields(dataset) for dataset in DATASET_LABELS}


def field_label(key: str) -> str:
    """'persons.birth_date' in words: 'birth date (persons (identity data))'."""
    dataset, _sep, name = key.partition(".")
    label = dataset_fields(dataset).get(name, name.replace("_", " "))
    return str(label)


# --- A recipient's terms -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRef:
    """One agreement in force, as a disclosure names it."""

    number: str
    kind: str  # "agreement" or "request"
    recipient: str
    purpose: str


@dataclass(frozen=True)
class Terms:
    """What the agreements of a recipient's client give today."""

    in_force: tuple[AgreementRef, ...] = ()
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Why nothing is given when no agreement is in force (suspended since…, expired on…).
    refusal: str = ""

    def agreement_for(self, dataset: str) -> AgreementRef | None:
        return self.in_force[0] if self.in_force and dataset in self.fields else None


TermsLoader = Callable[[Any], "Terms | None"]
_loader: TermsLoader | None = None


def terms_loader_set(loader: TermsLoader | None) -> None:
    """Install the function that reads a client binding's terms (None: not a recipient)."""
    global _loader
    _loader = loader


_UNREAD = object()


# Whether a client binding is bound to any agreement, as an expression over the binding (set
# by ExchangeConfig.ready next to the loader): the statement that loads the binding for a
# request answers it, so a system that is no recipient pays no statement for its terms.
_recipient_flag: Callable[[], Any] | None = None


def recipient_flag_set(flag: Callable[[], Any] | None) -> None:
    global _recipient_flag
    _recipient_flag = flag


def with_recipient_flag(bindings: Any) -> Any:
    """Client bindings annotated with `edureg_is_recipient` (when the exchange app says how)."""
    if _recipient_flag is None:
        return bindings
    return bindings.annotate(edureg_is_recipient=_recipient_flag())


def client_terms(actor: Actor) -> Terms | None:
    """The terms of a recipient's client, read once per request; None for everyone else."""
    if actor.kind != ActorKind.CLIENT or actor.client is None or _loader is None:
        return None
    binding = actor.client
    if getattr(binding, "edureg_is_recipient", True) is False:
        return None  # bound to no agreement: an institution's own system
    terms = getattr(binding, "_edureg_terms", _UNREAD)
    if terms is _UNREAD:
        terms = _loader(binding)
        binding._edureg_terms = terms
    return terms  # type: ignore[return-value]


def binding_without_terms_in_force(binding: Any) -> bool:
    """Whether a client binding (read `with_recipient_flag`) is a recipient whose agreements
    are all suspended, expired, ended or not yet in force: such a system gets no token."""
    if binding is None or _loader is None:
        return False
    if getattr(binding, "edureg_is_recipient", True) is False:
        return False
    terms = _loader(binding)
    return terms is not None and not terms.in_force


def disclosing(actor: Actor) -> tuple[AgreementRef, str, frozenset[str]] | None:
    """The agreement, data set and fields this request of a recipient discloses under (set by
    `RecipientPermission` before the view runs), for the person's access log."""
    if actor.kind != ActorKind.CLIENT or actor.client is None:
        return None
    return getattr(actor.client, "_edureg_disclosing", None)


def view_dataset(view: Any) -> str | None:
    dataset = getattr(view, "agreement_dataset", None)
    if dataset:
        return str(dataset)
    serializer = getattr(view, "serializer_class", None)
    return getattr(serializer, "agreement_dataset", None) or None


def recipient_refusal(actor: Actor, view: Any, method: str) -> str | None:
    """Why this recipient may not make this request (None: it may, or it is no recipient).
    On success remembers what the request discloses under."""
    terms = client_terms(actor)
    if terms is None:
        return None
    if not terms.in_force:
        return terms.refusal or str(_("This system has no data-provision agreement in force."))
    # A mass query is asked by POST but only reads (exchange.queries): its view says so.
    reads_by_post = method == "POST" and getattr(view, "agreement_read_by_post", False)
    if method not in ("GET", "HEAD", "OPTIONS") and not reads_by_post:
        return str(
            _(
                "A data-provision agreement lets the recipient's system read data; it does not "
                "let it change the register."
            )
        )
    dataset = view_dataset(view)
    if dataset is None or dataset not in terms.fields:
        return str(_("This data set is not covered by the data-provision agreement in force."))
    agreement = terms.agreement_for(dataset)
    assert agreement is not None
    actor.client._edureg_disclosing = (agreement, dataset, terms.fields[dataset])
    return None


def allowed_fields(context: Mapping[str, Any], dataset: str) -> frozenset[str] | None:
    """The fields of `dataset` the requester may receive; None: every field (not a recipient)."""
    request = context.get("request")
    if request is None:
        return None
    from edureg.access.actors import api_actor

    terms = client_terms(api_actor(request))
    if terms is None:
        return None
    return terms.fields.get(dataset, frozenset())


class AgreementFieldsMixin:
    """For a serializer that shows a data set: a recipient's client gets only the fields its
    agreement allows (the others are not in the answer at all, not null)."""

    agreement_dataset: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataset = cls.__dict__.get("agreement_dataset")
        if dataset:
            dataset_serializer_register(dataset, cls)

    @classmethod
    def _declared_and_meta_fields(cls) -> dict[str, Any]:
        return dict(cls().get_fields())  # type: ignore[call-arg]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        allowed = allowed_fields(getattr(self, "context", {}) or {}, self.agreement_dataset)
        if allowed is None:
            return fields
        return {name: f for name, f in fields.items() if name in allowed}
