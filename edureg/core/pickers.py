"""Pickers: a person chooses an institution, programme, qualification or classifier value by
its name, never by typing its code; the form still stores the same key (register id, state
code, classifier code) as before, and the API keeps accepting the key.

One `Picker` says how a kind of record is searched (which columns, folded for case and
diacritics), ordered (Lithuanian collation) and labelled. It serves both ends:

- `PickerField` (and `PickerFilter` for django-filter) accepts the key — what systems and
  bookmarked links send — or, without JavaScript, the name typed into the text box, resolved
  on the server: one match is taken, none or several is a field-level error;
- `picker_response` answers the search endpoint with a fragment of `role="option"` items,
  at most `LIMIT`, or "Nothing found". Each endpoint is a small view of the app that owns the
  scope, passing the queryset of its scoped selector: out of scope is never offered.

`SearchSelect` renders a text input; `core/picker.js` turns it into an accessible combobox
(input role=combobox, a listbox of options, arrow keys, Enter, Escape) that writes the chosen
key into a hidden input of the field's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django import forms
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override

from edureg.core.collation import Folded, Lithuanian, fold
from edureg.core.models import localized_name

LIMIT = 20
MAX_QUERY = 100
# "Name (key)": the label the picker shows, which a form re-submitted without JavaScript sends.
_LABELLED_KEY = re.compile(r"^.*\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class Picker:
    """How one kind of record is picked: `key` is the field stored and sent by systems."""

    key: str
    search_fields: Sequence[str]
    order: Sequence[str] = ("name_lt",)
    label: Callable[[Any], str] = field(default=lambda obj: f"{localized_name(obj)}")

    def label_of(self, obj: Any) -> str:
        return f"{self.label(obj)} ({getattr(obj, self.key)})"

    def ordered(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by(*[Lithuanian(name).asc() for name in self.order], "pk")

    def by_key(self, queryset: QuerySet[Any], value: str) -> Any:
        return queryset.filter(**{f"{self.key}__iexact": value}).first()

    def search(self, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
        """Every word of `text` in one of the search fields, case and diacritics ignored."""
        words = fold(text).split()
        if not words:
            return queryset.none()
        annotated = queryset.annotate(
            **{f"_folded_{i}": Folded(name) for i, name in enumerate(self.search_fields)}
        )
        for word in words:
            annotated = annotated.filter(
                reduce(
                    or_,
                    (Q(**{f"_folded_{i}__contains": word}) for i in range(len(self.search_fields))),
                )
            )
        return self.ordered(annotated)

    def resolve(self, queryset: QuerySet[Any], text: str) -> Any:
        """The one record `text` names: its key, its label, or words of its name."""
        text = text.strip()[:MAX_QUERY]
        if not text:
            return None
        found = self.by_key(queryset, text)
        labelled = _LABELLED_KEY.match(text)
        if found is None and labelled:
            found = self.by_key(queryset, labelled.group(1).strip())
        if found is not None:
            return found
        candidates = list(self.search(queryset, text)[:LIMIT])
        if len(candidates) == 1:
            return candidates[0]
        exact = [c for c in candidates if fold(self.label(c)) == fold(text)]
        if len(exact) == 1:
            return exact[0]
        if not candidates:
            raise forms.ValidationError(
                _("Nothing found for “%(text)s”."), code="not_found", params={"text": text}
            )
        raise forms.ValidationError(
            _("Several match “%(text)s”: type more of the name or choose one from the list."),
            code="ambiguous",
            params={"text": text},
        )


class SearchSelect(forms.TextInput):
    """A text box that searches `url` as the person types (see core/picker.js)."""

    template_name = "core/widgets/search_select.html"

    def __init__(self, url: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url
        self.field: PickerField | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # The key the script put in the hidden input, else the text typed (no script, or
        # typed without choosing): the field resolves the text on the server.
        return data.get(name) or data.get(f"{name}_text")

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_text" not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if self.field is not None:
            value = self.field.prepare_value(value)  # a record (a filter's cleaned value): its key
        key, text = "", "" if value is None else str(value)
        if self.field is not None and text:
            try:
                # The key, or a name typed without the script: shown as the record it names.
                found = self.field.picker.resolve(self.field.queryset, text)
            except forms.ValidationError:
                found = None
            if found is not None:
                key, text = getattr(found, self.field.picker.key), self.field.picker.label_of(found)
        context = super().get_context(name, text, attrs)
        context["widget"].update(
            url=reverse(self.url) if not self.url.startswith("/") else self.url,
            key=key,
            listbox_id=f"{context['widget']['attrs'].get('id', name)}_listbox",
        )
        context["widget"]["attrs"].setdefault("autocomplete", "off")
        return context


class PickerField(forms.Field):
    """A record picked by name; cleans to the record (like `ModelChoiceField`)."""

    widget = SearchSelect

    def __init__(
        self,
        *,
        picker: Picker,
        queryset: QuerySet[Any],
        url: str,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", SearchSelect(url))
        kwargs.setdefault(
            "help_text", _("Type a few letters of the name and choose from the list.")
        )
        super().__init__(**kwargs)
        self.picker = picker
        self.queryset = queryset
        self.widget.field = self  # type: ignore[attr-defined]

    def __deepcopy__(self, memo: dict[int, Any]) -> PickerField:
        result: PickerField = super().__deepcopy__(memo)  # type: ignore[assignment]
        result.widget.field = result  # type: ignore[attr-defined]
        return result

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Model):
            return getattr(value, self.picker.key)
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Model):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        return self.picker.resolve(self.queryset, str(value))


class PickerFilter(django_filters.Filter):
    """A django-filter filter on a picked record: `?institution=<key>` or a typed name."""

    field_class = PickerField

    def __init__(self, *args: Any, picker: Picker, queryset: Any, url: str, **kwargs: Any) -> None:
        super().__init__(*args, picker=picker, queryset=queryset, url=url, **kwargs)
        # The API documents the key (a register id, a code), not the model's primary key.
        description = self.extra.get("help_text") or self.label
        set_override(self, "field", {"type": "string", "description": description})


def picker_response(
    request: HttpRequest, queryset: QuerySet[Any], picker: Picker, *, limit: int = LIMIT
) -> HttpResponse:
    """The search endpoint's answer: up to `limit` options matching `?q=`, as HTML."""
    text = request.GET.get("q", "")[:MAX_QUERY]
    found = list(picker.search(queryset, text)[: limit + 1]) if text.strip() else []
    options = [(getattr(obj, picker.key), picker.label_of(obj)) for obj in found[:limit]]
    return render(
        request,
        "core/widgets/picker_options.html",
        {"options": options, "more": len(found) > limit, "searched": bool(text.strip())},
    )


# A language (ISO 639-1, the "language" classifier) by its Lithuanian or English name or code.
LANGUAGE = Picker(key="code", search_fields=("name_lt", "name_en", "code"))


def languages() -> QuerySet[Any]:
    from edureg.core.models import ClassifierValue

    return ClassifierValue.objects.of("language")


def language_names(codes: str) -> list[str]:
    """The names of comma-separated language codes ("lt,en") in the active language, from the
    `language` classifier; a code the classifier lacks is shown as it is."""
    wanted = [code.strip() for code in codes.split(",") if code.strip()]
    if not wanted:
        return []
    known = {value.code: localized_name(value) for value in languages().filter(code__in=wanted)}
    return [known.get(code, code) for code in wanted]
