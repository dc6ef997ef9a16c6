"""Import jobs move to the imports app. Only Django's idea of them moves: the table stays
as it is (timeline_importjob), with its rows; imports' 0001 takes the model over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0011_text_refuses_control_characters_and_bounds_long_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportJob")],
        ),
    ]
