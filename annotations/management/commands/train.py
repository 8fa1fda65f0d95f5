from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from annotations.errors import DomainError
from annotations.selectors import collection_named
from annotations.services.exports import DEFAULT_SEED, DEFAULT_SPLIT
from annotations.services.training import BASES, model_train


class Command(BaseCommand):
    help = (
        "Train a quote, speaker and cue model from a collection's gold (its train split, "
        "split as export_gold splits it), score it on the held-out split beside the rules, "
        "and keep it as the next version of NAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument("--name", help="the model's name (default: the collection's)")
        parser.add_argument(
            "--base",
            default="rules",
            choices=BASES,
            help="stack on the rules' output (default) or learn from the words alone",
        )
        parser.add_argument(
            "--min-confidence",
            type=float,
            default=0.0,
            help="keep a quote the rules did not find only when the model is this sure of it "
            "(0 to 1; default 0: every one)",
        )
        parser.add_argument("--split", default=DEFAULT_SPLIT, help="train,dev[,test] ratios")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--iterations", type=int, help="optimiser passes (default: the model's own)"
        )

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        iterations = options["iterations"]
        if iterations is not None and iterations < 1:
            raise CommandError("--iterations: at least 1")
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        try:
            collection = collection_named(options["collection"])
            with Progress(
                *columns, console=console, transient=True, disable=not console.is_terminal
            ) as progress:
                task = progress.add_task("reading", total=None)

                def on_progress(stage: str, done: int, total: int) -> None:
                    progress.update(task, description=stage, completed=done, total=total)

                model = model_train(
                    collection=collection,
                    name=options["name"],
                    base=options["base"],
                    min_confidence=options["min_confidence"],
                    split=options["split"],
                    seed=options["seed"],
                    parameters={"max_iterations": iterations} if iterations else None,
                    on_progress=on_progress,
                )
        except DomainError as error:
            raise CommandError(str(error)) from None
        console.print(describe(model))


def describe(model) -> str:
    lines = [
        f"Model {model.label}: learnt from {model.gold_documents} gold document(s) of "
        f"{model.collection_name!r} in {model.training_seconds:.1f} s; file {model.file}."
    ]
    metrics = model.metrics
    if "model" in metrics:
        lines.append(
            f"On the {metrics['heldout_split']} split ({model.heldout_documents} document(s)), "
            f"quote F1 at overlap: model {_f1(metrics['model'])}, rules {_f1(metrics['rules'])}; "
            f"speaker accuracy {metrics['model']['speaker_accuracy']:.3f}, "
            f"cue accuracy {metrics['model']['cue_accuracy']:.3f}."
        )
        curve = ", ".join(f"{p['documents']}: {p['f1_overlap']:.3f}" for p in metrics["curve"])
        lines.append(f"Learning curve (gold documents: F1 at overlap): {curve}.")
    else:
        lines.append("No gold in the held-out split: the model is not scored.")
    if model.collection is not None and model.collection.model_id == model.pk:
        lines.append(f"{model.collection_name!r} now pre-annotates with {model.label}.")
    elif "model" in metrics:
        lines.append(
            f"{model.collection_name!r} keeps its predictor: {model.label} scores below the rules."
        )
    return "\n".join(lines)


def _f1(report: dict) -> str:
    return f"{report['quotes']['overlap']['f1']:.3f}"
