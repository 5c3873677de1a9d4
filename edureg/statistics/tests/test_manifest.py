"""The DSA manifest reader: the agency's real files and generated ones."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edureg.statistics.opendata.manifest import (
    MANIFEST_DIR,
    ManifestError,
    parse_manifest,
    parse_rows,
)

# The DSA columns, as the first line of every manifest gives them.
with (MANIFEST_DIR / "nsa_dakpr_baigiamieji_darbai.csv").open(encoding="utf-8") as _handle:
    COLUMNS = next(csv.reader(_handle))


def rows(*lines: dict[str, str]) -> list[dict[str, str]]:
    return [dict.fromkeys(COLUMNS, "") | line for line in lines]


def test_the_nvs_manifest_gives_its_models_properties_and_enums() -> None:
    (dataset,) = parse_manifest(MANIFEST_DIR / "nsa_nspr_neformaliojo_vaiku_svietimo_programos.csv")

    assert dataset.name == "datasets/gov/nsa/nspr/neformaliojo_vaiku_svietimo_programos"
    assert [model.name for model in dataset.models] == ["Programa", "Lankymas"]
    programme = dataset.get_model("Programa")
    assert programme.property_names[:3] == ["vda_prime_key", "programos_id", "prg_kodas"]
    assert programme.property_names[-1] == "duom_paskut_redagav"
    assert len(programme.properties) == 25
    modified = programme.get_property("duom_paskut_redagav")
    assert (modified.type, modified.ref) == ("datetime", "L")
    # Enum values of this file sit in the `ref` column, one per row below the `enum` row.
    assert programme.get_property("prg_teikejo_kodo_tipas").enum_values == [
        "LT JAR kodas",
        "LT asmens kodas",
        "Kitas kodas",
        "Senas LT JAR kodas",
        "Institucijos padalinio kodas",
    ]


def test_enum_values_written_as_literals_in_prepare_are_read_without_quotes() -> None:
    (dataset,) = parse_manifest(MANIFEST_DIR / "nsa_dakpr_baigiamieji_darbai.csv")

    sex = dataset.get_model("BaigiamasisDarbas").get_property("asm_lytis")
    assert [(item.value, item.title) for item in sex.enum] == [("V", "Vyras"), ("M", "Moteris")]


def test_prefix_and_comment_rows_are_not_properties() -> None:
    (dataset,) = parse_manifest(MANIFEST_DIR / "nsa_mr_mokiniai_einamiesiems_mokslo_metams.csv")

    model = dataset.get_model("MokinysmMetams")
    assert "inst_kodas" in model.property_names
    assert len(model.properties) == 23
    assert all(prop.enum == [] for prop in model.properties if prop.name not in {"lytis", "kilme"})


def test_a_property_before_any_model_is_an_error() -> None:
    with pytest.raises(ManifestError, match="outside a model"):
        parse_rows(rows({"dataset": "datasets/x"}, {"property": "a", "type": "string"}))


names = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
types = st.sampled_from(["string", "integer", "number", "date", "datetime"])
properties = st.lists(
    st.tuples(
        names,
        types,
        st.sampled_from(["", "D", "Y", "L"]),
        st.lists(
            st.text(
                st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                min_size=1,
                max_size=8,
            )
            .map(str.strip)
            .filter(bool),
            max_size=3,
        ),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda prop: prop[0],
)
models = st.lists(
    st.tuples(st.from_regex(r"[A-Z][A-Za-z]{0,10}", fullmatch=True), properties),
    min_size=1,
    max_size=4,
    unique_by=lambda model: model[0],
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models)
def test_any_manifest_reads_back_as_written(spec: list[tuple[str, list]]) -> None:
    # Given a manifest written the way the agency writes them
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows({"dataset": "datasets/gov/test/x", "title": "X"}))
    writer.writerows(rows({"type": "prefix", "ref": "spinta", "uri": "https://example.lt/"}))
    writer.writerows(rows({"ref": "manifest", "uri": "https://example.lt/m"}))
    for model, props in spec:
        writer.writerows(rows({}, {"model": model, "ref": props[0][0], "level": "4"}))
        for name, type_, ref, enum in props:
            writer.writerows(rows({"property": name, "type": type_, "ref": ref, "access": "open"}))
            for position, value in enumerate(enum):
                directive = {"type": "enum"} if position == 0 else {}
                writer.writerows(rows(directive | {"ref": value, "title": f'"{value}"'}))

    # When it is read
    (dataset,) = parse_rows(csv.DictReader(io.StringIO(out.getvalue())))

    # Then models, properties (in order), types, refs and enums come back unchanged
    assert dataset.name == "datasets/gov/test/x"
    assert [
        (
            model.name,
            [(p.name, p.type, p.ref, p.enum_values) for p in model.properties],
        )
        for model in dataset.models
    ] == [(model, [tuple(prop) for prop in props]) for model, props in spec]
