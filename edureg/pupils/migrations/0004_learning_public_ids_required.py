import uuid

from django.db import migrations, models

MODELS = ("elective", "achievement", "specialneeds")


class Migration(migrations.Migration):
    dependencies = [("pupils", "0003_learning_public_ids")]

    operations = [
        *(
            migrations.AlterField(
                model_name=name,
                name="public_id",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
            )
            for name in MODELS
        ),
        *(
            migrations.AlterField(
                model_name=f"historical{name}",
                name="public_id",
                field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
            )
            for name in MODELS
        ),
    ]
