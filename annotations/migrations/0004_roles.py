"""The roles: reviewers work in the review pages, annotators only read (API)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from annotations.roles import PERMISSIONS, ensure_groups


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_review_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
