"""Annotations point at an Annotator row instead of carrying the annotator's name.

Every name an annotation carried becomes (or joins) an Annotator: by Label Studio
user id for "ls-user-N", by email or name otherwise, case-insensitively. A gold
annotation's name was its adjudicator's: it moves to its provenance.
"""

import django.db.models.deletion
from django.db import migrations, models


def label(email: str, name: str, ls_user_id) -> str:
    return email or name or f"ls-user-{ls_user_id}"


def link_annotators(apps, schema_editor):
    Annotator = apps.get_model("annotations", "Annotator")
    Annotation = apps.get_model("annotations", "Annotation")
    by_key = {}
    for annotator in Annotator.objects.all():
        annotator.key = label(annotator.email, annotator.name, annotator.ls_user_id).casefold()
        annotator.save(update_fields=["key"])
        by_key[annotator.key] = annotator
    names = (
        Annotation.objects.exclude(annotator_name="")
        .values_list("annotator_name", flat=True)
        .distinct()
    )
    for name in names:
        key = name.casefold()
        annotator = by_key.get(key)
        if annotator is None and key.startswith("ls-user-") and key[8:].isdigit():
            annotator = Annotator.objects.filter(ls_user_id=int(key[8:])).first()
        if annotator is None:
            is_email = "@" in name
            annotator = Annotator.objects.create(
                email=name if is_email else "", name="" if is_email else name, key=key
            )
            by_key[key] = annotator
        Annotation.objects.filter(annotator_name=name).exclude(kind="gold").update(
            annotator=annotator
        )
    for gold in Annotation.objects.filter(kind="gold").exclude(annotator_name=""):
        provenance = dict(gold.provenance or {})
        provenance.setdefault("adjudicator", gold.annotator_name)
        gold.provenance = provenance
        gold.save(update_fields=["provenance"])


def unlink_annotators(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    for annotation in Annotation.objects.select_related("annotator"):
        if annotation.annotator_id:
            found = annotation.annotator
            annotation.annotator_name = label(found.email, found.name, found.ls_user_id)
        elif annotation.kind == "gold":
            annotation.annotator_name = (annotation.provenance or {}).get("adjudicator", "")
        annotation.save(update_fields=["annotator_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0005_jobs_and_members"),
    ]

    operations = [
        migrations.RenameField(
            model_name="annotation", old_name="annotator", new_name="annotator_name"
        ),
        migrations.AddField(
            model_name="annotator",
            name="key",
            field=models.CharField(default="", editable=False, max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="annotation",
            name="annotator",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="annotations",
                to="annotations.annotator",
            ),
        ),
        migrations.RunPython(link_annotators, unlink_annotators),
        migrations.RemoveField(model_name="annotation", name="annotator_name"),
        migrations.AlterField(
            model_name="annotator",
            name="key",
            field=models.CharField(editable=False, max_length=254, unique=True),
        ),
        migrations.AlterModelOptions(name="annotator", options={"ordering": ["key"]}),
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("import", "Import"),
                    ("preannotate", "Preannotate"),
                    ("labelstudio_setup", "Setup"),
                    ("labelstudio_push", "Push"),
                    ("labelstudio_pull", "Pull"),
                    ("export", "Export"),
                    ("labelstudio_gold_push", "Gold Push"),
                ],
                max_length=30,
            ),
        ),
    ]
