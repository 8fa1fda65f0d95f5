import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Collection, Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    call_command("import_documents", str(settings.BASE_DIR / "fixtures" / "gold.jsonl"),
                 "--collection", "demo", "--as-gold", stdout=io.StringIO())  # fmt: skip
    return Collection.objects.get(name="demo")


def test_export_action_asks_then_exports_and_the_zip_downloads(admin_client, demo):
    url = reverse("admin:annotations_collection_changelist")
    form = admin_client.post(url, {"action": "export_gold_dataset", "_selected_action": [demo.pk]})
    assert b"Export gold dataset" in form.content and b'name="split"' in form.content
    done = admin_client.post(
        url,
        {"action": "export_gold_dataset", "_selected_action": [demo.pk], "confirm": "yes",
         "format": "conll", "split": "0.8,0.1,0.1", "seed": "13"},
        follow=True,
    )  # fmt: skip
    export = Export.objects.get()
    assert export.status == "done" and export.format == "conll"
    assert b"download the zip" in done.content
    response = admin_client.get(reverse("admin:annotations_export_download", args=[export.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert any(n.endswith("/README.md") for n in names) and any(
        n.endswith("train.conll") for n in names
    )
    listing = admin_client.get(reverse("admin:annotations_export_changelist"))
    assert b">zip</a>" in listing.content


def test_bad_split_is_reported_not_raised(admin_client, demo):
    url = reverse("admin:annotations_collection_changelist")
    response = admin_client.post(
        url,
        {"action": "export_gold_dataset", "_selected_action": [demo.pk], "confirm": "yes",
         "format": "jsonl", "split": "0.9,0.9", "seed": "1"},
        follow=True,
    )  # fmt: skip
    assert b"the ratios must be non-negative and sum to 1" in response.content
    assert not Export.objects.filter(status="done").exists()


def test_staff_without_export_permission_cannot_export_or_download(client, demo, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_collection", "view_export"])
    )
    client.force_login(user)
    listing = client.get(reverse("admin:annotations_collection_changelist"))
    assert b"export_gold_dataset" not in listing.content
