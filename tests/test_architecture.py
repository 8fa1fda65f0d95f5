"""The shape the code keeps: writes only in the services, a core free of Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from django.apps import apps

APP = Path(__file__).resolve().parent.parent / "annotations"
# The only places that write to the database.
WRITERS = ("services/", "labelstudio/sync/", "migrations/")
# Plain data in, plain data out: no ORM, no HTTP, not even Django.
CORE = (
    "annotations.adjudication",
    "annotations.agreement",
    "annotations.canonical",
    "annotations.charts",
    "annotations.coefficients",
    "annotations.errors",
    "annotations.exporters",
    "annotations.exporters.brat_format",
    "annotations.exporters.card",
    "annotations.exporters.conll_format",
    "annotations.exporters.jsonl_format",
    "annotations.exporters.labelstudio_format",
    "annotations.highlight",
    "annotations.importers",
    "annotations.labelstudio.convert",
    "annotations.matching",
    "annotations.preannotate",
    "annotations.preannotate.evaluate",
    "annotations.records",
    "annotations.scheme",
    "annotations.search",
    "annotations.tokens",
)
QUERYSET_WRITES = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
RELATED_WRITES = {"add", "set", "remove", "clear"}


def related_managers() -> set[str]:
    """Names under which a model instance reaches a related manager (m2m or reverse FK)."""
    names = set()
    for model in apps.get_app_config("annotations").get_models():
        for field in model._meta.get_fields():
            if field.many_to_many or field.one_to_many:
                names.add(field.get_accessor_name() if field.auto_created else field.name)
    return names


def writes_in(path: Path, managers: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, ast.unparse(node.func.value)
        if "_sdk" in receiver:  # Label Studio's SDK, not the database
            continue
        orm = ".objects" in receiver or receiver.startswith(("queryset", "Annotation", "Document"))
        if (
            method == "save"
            or (method in QUERYSET_WRITES and (orm or ".filter(" in receiver))
            or (
                method in RELATED_WRITES
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in managers
            )
        ):
            found.append(f"{path.relative_to(APP.parent)}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_only_services_and_sync_write_to_the_database():
    managers = related_managers()
    outside = [
        line
        for path in sorted(APP.rglob("*.py"))
        if not path.relative_to(APP).as_posix().startswith(WRITERS)
        for line in writes_in(path, managers)
    ]
    assert outside == [], "ORM writes outside services/ and labelstudio/sync/:\n" + "\n".join(
        outside
    )


def test_the_check_finds_a_write_where_one_is():
    sample = APP.parent / "tests" / "fixtures_writes.py"
    sample.write_text(
        "def f(collection, user):\n"
        "    Collection.objects.filter(pk=1).update(title='x')\n"
        "    collection.members.add(user)\n"
        "    collection.save()\n"
        "    seen = set()\n"
        "    seen.add(1)\n",
        encoding="utf-8",
    )
    try:
        found = writes_in(sample, related_managers())
    finally:
        sample.unlink()
    assert [line.split(": ", 1)[1] for line in found] == [
        "Collection.objects.filter(pk=1).update(title='x')",
        "collection.members.add(user)",
        "collection.save()",
    ]


def test_the_core_never_imports_django():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in CORE)
        + "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'rest_framework'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=APP.parent,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stdout.strip() == "[]"
