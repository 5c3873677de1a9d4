"""How an institution is picked (see core.pickers): by its name, register id or legal-entity
code; the key stored and sent by systems is the register id. Which institutions a picker offers
is the scoped selector's of the page using it."""

from edureg.core.pickers import Picker

INSTITUTION = Picker(
    key="register_id", search_fields=("name_lt", "name_en", "register_id", "jar_code")
)
