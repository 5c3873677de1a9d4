"""Electives, achievements and special-needs levels get a public id, the key an information
system mirrors them by through the change feed. Existing rows get a fresh one each (and their
versions the record's), then 0004 makes it required and unique; two migrations because
PostgreSQL refuses to alter a table with row updates pending in the same transaction."""

import uuid

from django.db import migrations, models

MODELS = ("elective", "achievement", "specialneeds")


def fill(apps, schema_editor):
    for name in MODELS:
        live = apps.get_model("pupils", name)
        history = apps.get_model("pupils", f"historical{name}")
        keys = {}
        for row in live.objects.only("pk").iterator():
            keys[row.pk] = uuid.uuid4()
            live.objects.filter(pk=row.pk).update(public_id=keys[row.pk])
        for object_id in history.objects.values_list("id", flat=True).distinct():
            key = keys.get(object_id) or uuid.uuid4()  # a deleted record: a key of its own
            history.objects.filter(id=object_id).update(public_id=key)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0002_exams_grades_competences")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="public_id",
                field=models.UUIDField(editable=False, null=True),
            )
            for name in MODELS
        ),
        *(
            migrations.AddField(
                model_name=f"historical{name}",
                name="public_id",
                field=models.UUIDField(db_index=True, editable=False, null=True),
            )
            for name in MODELS
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
