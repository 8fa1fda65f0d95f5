"""The rules over several processes give what one process gives, in order."""

import json

from django.conf import settings

from annotations.preannotate import preannotate
from annotations.preannotate.parallel import CHUNK, predict_all
from annotations.services.preannotation import BATCH, workers_for


def texts() -> list[str]:
    lines = (settings.BASE_DIR / "fixtures" / "gold.jsonl").read_text().splitlines()
    articles = [json.loads(line)["text"] for line in lines if line.strip()]
    # More documents than the chunks in flight, so chunks wait, run and come back.
    return [articles[i % len(articles)] + f"\nStory {i}." for i in range(CHUNK * 7 + 3)]


def test_several_processes_give_the_same_predictions_in_the_same_order():
    items = list(enumerate(texts()))
    known = {"ushakov": "Yury Ushakov"}
    together = list(predict_all(iter(items), known=known, workers=2))
    assert [key for key, _ in together] == [key for key, _ in items]
    for (key, record), (_, text) in zip(together, items, strict=True):
        assert record == preannotate(text, known_speakers=known), key


def test_one_process_for_a_small_collection(settings):
    settings.PREANNOTATE_WORKERS = 4
    assert workers_for(BATCH) == 1
    assert workers_for(10 * BATCH) == 4
    settings.PREANNOTATE_WORKERS = 0
    assert workers_for(10 * BATCH) >= 1
