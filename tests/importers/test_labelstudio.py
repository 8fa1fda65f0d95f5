import json

from tests.importers.helpers import read_all
from tests.labelstudio.test_convert import SAMPLE

TEXT = '"Inflation will ease by spring," the minister said. Maria Lopez agreed.'


def task(**extra):
    return {
        "id": 20009,
        "data": {"text": TEXT, "title": "Inflation", "external_id": "doc-9", "source": "wire"},
        "annotations": [
            {"id": 12, "result": SAMPLE, "completed_by": {"id": 1, "email": "ana@example.com"},
             "was_cancelled": False, "ground_truth": False, "lead_time": 8.4},
            {"id": 13, "result": [], "completed_by": 2, "was_cancelled": True},
            {"id": 14, "result": SAMPLE, "completed_by": 3, "ground_truth": True},
        ],
        "predictions": [
            {"id": 5, "result": SAMPLE, "model_version": "rules-1", "score": 0.7},
            6,
        ],
        **extra,
    }  # fmt: skip


def write(tmp_path, content, indent=2):
    path = tmp_path / "export.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=indent))
    return path


def test_reads_annotations_ground_truth_and_predictions(tmp_path):
    [doc], errors, warnings = read_all(write(tmp_path, [task()]))
    assert errors == []
    assert (doc.external_id, doc.title, doc.meta) == ("doc-9", "Inflation", {"source": "wire"})
    human, gold, prediction = doc.annotations
    assert (human.kind, human.annotator, human.source_key, human.lead_time) == (
        "human", "ana@example.com", "lsfile:annotation:12", 8.4,
    )  # fmt: skip
    assert human.raw["id"] == 12 and human.raw["result"] == SAMPLE
    assert (gold.kind, gold.annotator) == ("gold", "ls-user-3")
    assert (prediction.kind, prediction.model_version, prediction.score) == (
        "prediction",
        "rules-1",
        0.7,
    )
    assert [w.message for w in warnings] == [
        "a skipped (cancelled) annotation was not imported",
        "a prediction listed by id only was not imported; export a snapshot with full "
        "predictions to import it",
    ]


def test_task_without_external_id_is_named_by_task_id(tmp_path):
    data = task()
    del data["data"]["external_id"]
    [doc], _, _ = read_all(write(tmp_path, [data]))
    assert doc.external_id == "ls-task-20009"


def test_results_breaking_the_scheme_fail_with_the_task_line(tmp_path):
    bad = task(annotations=[{"id": 1, "result": [{"id": "a", "from_name": "span", "type": "labels",
                                                   "value": {"start": 0, "end": 1, "text": '"', "labels": ["Bogus"]}}]}])  # fmt: skip
    records, [error], _ = read_all(write(tmp_path, [task(), bad]))
    assert len(records) == 1
    assert "export.json:" in str(
        error
    ) and "annotation 1: result[0]: region 'a' has unknown label 'Bogus'" in str(error)
    # The line points at the second task.
    line = int(str(error).split("export.json:")[1].split(":")[0])
    assert write(tmp_path, [task(), bad]).read_text().splitlines()[line - 1].strip() == "{"


def test_not_a_task_list(tmp_path):
    _, [error], _ = read_all(write(tmp_path, '"hello"'))
    assert str(error).endswith("expected a JSON list of Label Studio tasks")
    _, [error], _ = read_all(write(tmp_path, '[{"data": {}}]'))
    assert "the task has no data.text string" in str(error)
    records, [error], _ = read_all(write(tmp_path, "[" + json.dumps(task()) + ",\n{"))
    assert len(records) == 1
    assert str(error).endswith(
        "export.json:2: malformed JSON: Expecting property name enclosed in double quotes"
    )
