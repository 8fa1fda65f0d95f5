import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def rows_from_stored_reports(apps, schema_editor):
    """Reports stored before kept a dict per document under "per_document": those
    become DocumentAgreement rows, and the reports lose the list."""
    Collection = apps.get_model("annotations", "Collection")
    Document = apps.get_model("annotations", "Document")
    DocumentAgreement = apps.get_model("annotations", "DocumentAgreement")
    for collection in Collection.objects.filter(agreement__has_key="per_document"):
        entries = collection.agreement.pop("per_document") or []
        for start in range(0, len(entries), BATCH):
            batch = {entry["document"]: entry for entry in entries[start : start + BATCH]}
            ids = Document.objects.filter(collection=collection, external_id__in=batch)
            DocumentAgreement.objects.bulk_create(
                DocumentAgreement(
                    document_id=pk,
                    collection=collection,
                    annotators=batch[external_id]["annotators"],
                    quotes=batch[external_id]["quotes"],
                    quote_f1_overlap=batch[external_id]["quote_f1_overlap"],
                    units_with_disagreement=batch[external_id]["units_with_disagreement"],
                    computed_at=collection.agreement_at or collection.created_at,
                )
                for pk, external_id in ids.values_list("pk", "external_id")
            )
        collection.save(update_fields=["agreement"])


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0011_document_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentAgreement",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="agreement",
                        serialize=False,
                        to="annotations.document",
                    ),
                ),
                ("annotators", models.JSONField(default=list)),
                (
                    "quotes",
                    models.PositiveIntegerField(
                        help_text="Quote units: a quote and its counterparts."
                    ),
                ),
                ("quote_f1_overlap", models.FloatField(blank=True, null=True)),
                (
                    "units_with_disagreement",
                    models.PositiveIntegerField(
                        help_text="Quote units someone lacks or whose choices differ."
                    ),
                ),
                ("computed_at", models.DateTimeField()),
                (
                    "collection",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_agreements",
                        to="annotations.collection",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["collection", "-units_with_disagreement", "document"],
                        name="document_agreement_worst",
                    )
                ],
            },
        ),
        migrations.RunPython(rows_from_stored_reports, migrations.RunPython.noop),
    ]
