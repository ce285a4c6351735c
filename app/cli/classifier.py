"""`wijkwinkel classifier`: measure, train and cross-validate the domain classifier, and export
staff corrections as training data."""

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.unit_of_work import fail, unit_of_work

classifier_cli = typer.Typer(
    help="Measure and improve the domain classifier.", no_args_is_help=True
)

# The labelled texts live with the tests that check the classifier against them
# (tests/classification/test_quality.py, and the model's data digest), so the commands' defaults
# point into tests/ rather than at a copy that could drift; tests/data/classifier/README.md
# tells where each file came from.
CLASSIFIER_DATA = Path(__file__).resolve().parents[2] / "tests/data/classifier"
# The held-out set: test5, written by two writers who never saw the data or the model, read once
# after the model was frozen. The earlier test splits were read and retired into training as
# train_t1..t4 (tests/data/classifier/README.md, rounds 3 and 4).
DEFAULT_EVAL_DATA = [CLASSIFIER_DATA / "test5.jsonl"]
# In this order: the model's version is a digest of the files in turn.
DEFAULT_TRAIN_DATA = [
    CLASSIFIER_DATA / f"{name}.jsonl"
    for name in (
        "train",
        "train_extra",
        "train_more",
        "dev",
        "train_n",
        "train_p",
        "train_r",
        "train_s",
        "train_u",
        "train_v",
        "train_t1",
        "train_t2",
        "train_t3",
        "train_w",
        "train_y",
        "train_z",
        "train_k",
        "train_t4",
        "train_h",
        "train_j",
        "train_l",
    )
]


@classifier_cli.command("eval")
def classifier_eval(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            help="JSONL with {text, domains[, urgent]} per line; repeat to join files. "
            "Default: the held-out set, test5.jsonl."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    errors: Annotated[int, typer.Option(help="Also list this many misclassified texts.")] = 0,
) -> None:
    """Per-domain precision, recall and F1, macro-F1, and urgent-signal recall."""
    from app.classification import evaluate, service

    files = data or DEFAULT_EVAL_DATA
    try:
        rows = [row for f in files for row in evaluate.load_jsonl(f)]
    except (OSError, ValueError) as exc:
        fail(str(exc))
    if not rows:
        fail("no labelled rows in " + ", ".join(str(f) for f in files))
    names = " + ".join(str(f) for f in files)

    def predict(text: str) -> tuple[set[str], bool]:
        result = service.classify(text)
        return {str(d) for d in result.labels()}, result.urgent

    report = evaluate.evaluate(rows, predict)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    **report.as_dict(),
                    "classifier_version": service.version(),
                    "data": [str(f) for f in files],
                },
                indent=2,
            )
        )
    else:
        typer.echo(evaluate.format_report(report, f"{service.version()} on {names}"))
    for err in report.errors[:errors]:
        urgent = f"urgent {err['urgent']}->{err['got_urgent']}"
        typer.echo(f"- {err['gold']} -> {err['got']} {urgent}: {err['text'][:160]}")


def _training_data(default: str) -> Any:
    """The --data option of the commands that learn from labelled files (train, cv)."""
    return typer.Option(help=f"Labelled JSONL; repeat. Default: {default}.")


def _training_files(
    files: list[Path], held_out_advice: str
) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each JSONL file with its labelled rows; never the held-out test split."""
    from app.classification import evaluate

    if any(f.name.startswith("test") for f in files):  # test5.jsonl, and any later split
        fail(f"the test split is held out; {held_out_advice}")
    try:
        return [(f, evaluate.load_jsonl(f)) for f in files]
    except (OSError, ValueError) as exc:
        fail(str(exc))


@classifier_cli.command("train")
def classifier_train(
    data: Annotated[list[Path] | None, _training_data("the train*.jsonl files and dev")] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write the model.")] = None,
    min_recall: Annotated[
        float | None,
        typer.Option(help="Recall each domain must keep out of fold (default 0.92)."),
    ] = None,
) -> None:
    """Train the learned layer and choose thresholds by cross-validation. Never on the test
    split: that one is for `classifier eval` only. The shipped model is only replaced by one
    that does no worse on the held-out set (write elsewhere with --output to compare)."""
    from app.classification import learned, model, service

    files = data or DEFAULT_TRAIN_DATA
    loaded = _training_files(files, "train on train and dev (and corrections) only")
    rows = [row for _, rs in loaded for row in rs]
    digest = model.data_digest(files)
    trained, report = model.fit(
        rows,
        service.engine(),
        version=f"lr-{digest}",
        min_recall=model.MIN_RECALL if min_recall is None else min_recall,
    )
    target = output or learned.MODEL_FILE
    if target.resolve() == learned.MODEL_FILE.resolve() and target.exists():
        worse = _worse_on_held_out(service.model(), trained)
        if worse:
            fail(
                "the new model does worse on the held-out set than the shipped one ("
                + "; ".join(worse)
                + "): the shipped model stays. Write the new one elsewhere with --output."
            )
    model.save(trained, target)
    typer.echo(json.dumps({"model": str(target), "examples": len(rows), **report}, indent=2))


# How much worse counts as worse: below this a change is one question on the held-out set.
_TOLERANCE = 0.005


def _worse_on_held_out(shipped: Any, trained: Any) -> list[str]:
    """Where `trained` does worse than `shipped` on the held-out set: macro-F1, urgent recall,
    and the share of ordinary questions flagged urgent."""
    from app.classification import evaluate, service

    rows = [row for f in DEFAULT_EVAL_DATA for row in evaluate.load_jsonl(f)]

    def report(using: Any) -> dict[str, Any]:
        def predict(text: str) -> tuple[set[str], bool]:
            result = service.classify(text, using=using)
            return {str(d) for d in result.labels()}, result.urgent

        return evaluate.evaluate(rows, predict).as_dict()

    before, after = report(shipped), report(trained)
    worse = []
    if after["macro_f1"] < before["macro_f1"] - _TOLERANCE:
        worse.append(f"macro-F1 {before['macro_f1']:.3f} -> {after['macro_f1']:.3f}")
    if after["urgent"]["recall"] < before["urgent"]["recall"] - _TOLERANCE:
        worse.append(
            f"urgent recall {before['urgent']['recall']:.3f} -> {after['urgent']['recall']:.3f}"
        )
    b, a = before["urgent"]["false_alarm_rate"], after["urgent"]["false_alarm_rate"]
    if a > b + _TOLERANCE:
        worse.append(f"ordinary questions flagged urgent {b:.3f} -> {a:.3f}")
    return worse


def _writer(row: dict[str, Any], file: Path) -> str:
    """Who wrote a row: an id's letters (train, dev and train_t1 share the first writer's q),
    else the file."""
    found = re.match(r"[a-z]+", str(row.get("id") or ""))
    return found.group() if found else file.stem


@classifier_cli.command("cv")
def classifier_cv(
    data: Annotated[list[Path] | None, _training_data("the training files")] = None,
    folds: Annotated[int, typer.Option(help="Number of folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed for the fold assignment.")] = 11,
    by_writer: Annotated[
        bool,
        typer.Option(
            "--by-writer",
            help="Keep each writer's rows in one fold, so every row is answered by a model that "
            "saw nothing of its writer. The writer is the letters an id starts with (q0001: q), "
            "or the file for rows without an id.",
        ),
    ] = False,
) -> None:
    """Cross-validated quality of the whole pipeline on the training data (never the test
    split): each fold is answered by a model trained, thresholds and all, without it."""
    from app.classification import evaluate, learned, model, service

    files = data or DEFAULT_TRAIN_DATA
    loaded = _training_files(files, "cross-validate on the training files only")
    rows = [row for _, rs in loaded for row in rs]
    groups = [_writer(row, f) for f, rs in loaded for row in rs] if by_writer else None
    if groups is not None and len(set(groups)) < folds:
        fail(f"--by-writer needs at least {folds} writers (one fold each), got {len(set(groups))}")

    def predict(text: str, using: learned.Model) -> tuple[set[str], bool]:
        result = service.classify(text, using=using)
        return {str(d) for d in result.labels()}, result.urgent

    answers = model.cross_validate(
        rows, predict, service.engine(), folds=folds, seed=seed, groups=groups
    )
    in_order = iter(answers)  # evaluate() asks in row order
    report = evaluate.evaluate(rows, lambda _text: next(in_order))
    names = "+".join(f.stem for f in files)
    kind = "by-writer " if by_writer else ""
    typer.echo(evaluate.format_report(report, f"{folds}-fold {kind}cross-validation on {names}"))


@classifier_cli.command("export-corrections")
def classifier_export_corrections(
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
) -> None:
    """Staff corrections as JSONL ({text, domains, classifier_domains, ...}), for training."""
    from app.intakes import service as intakes

    with unit_of_work() as session:  # the commit keeps the access log entry for this export
        rows = intakes.export_corrections(session=session)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} corrections written to {output}", err=True)
    else:
        sys.stdout.write(text)
