"""The `wijkwinkel` command."""

import json
import re
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, select

from app.auth import api_keys
from app.auth.scopes import Scope
from app.core.config import get_settings
from app.core.database import get_engine
from app.core.errors import WijkwinkelError

cli = typer.Typer(help="Wijkwinkel: één loket voor wonen, welzijn en zorg.", no_args_is_help=True)
org_cli = typer.Typer(help="Manage organisations.", no_args_is_help=True)
key_cli = typer.Typer(help="Manage API keys.", no_args_is_help=True)
cli.add_typer(org_cli, name="org")
cli.add_typer(key_cli, name="key")
classifier_cli = typer.Typer(
    help="Measure and improve the domain classifier.", no_args_is_help=True
)
cli.add_typer(classifier_cli, name="classifier")
stats_cli = typer.Typer(help="The statistics cube.", no_args_is_help=True)
audit_cli = typer.Typer(help="The access log of personal data.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(stats_cli, name="stats")
user_cli = typer.Typer(help="Manage staff logins for the web pages.", no_args_is_help=True)


@cli.callback()
def _start() -> None:
    """Every command may write (an access-log entry at the least): install the commit-time
    writers first."""
    from app import models

    models.install()


cli.add_typer(user_cli, name="user")

CLASSIFIER_DATA = Path(__file__).resolve().parents[1] / "tests/data/classifier"
# The held-out set: test5, written by two writers who never saw the data or the model, read once
# after the model was frozen. The earlier test splits were read and retired into training as
# train_t1..t4 (tests/data/classifier/README.md, rounds 3 and 4).
DEFAULT_EVAL_DATA = [CLASSIFIER_DATA / "test5.jsonl"]
DEFAULT_TRAIN_DATA = [
    CLASSIFIER_DATA / "train.jsonl",
    CLASSIFIER_DATA / "train_extra.jsonl",
    CLASSIFIER_DATA / "train_more.jsonl",
    CLASSIFIER_DATA / "dev.jsonl",
    CLASSIFIER_DATA / "train_n.jsonl",
    CLASSIFIER_DATA / "train_p.jsonl",
    CLASSIFIER_DATA / "train_r.jsonl",
    CLASSIFIER_DATA / "train_s.jsonl",
    CLASSIFIER_DATA / "train_u.jsonl",
    CLASSIFIER_DATA / "train_v.jsonl",
    CLASSIFIER_DATA / "train_t1.jsonl",
    CLASSIFIER_DATA / "train_t2.jsonl",
    CLASSIFIER_DATA / "train_t3.jsonl",
    CLASSIFIER_DATA / "train_w.jsonl",
    CLASSIFIER_DATA / "train_y.jsonl",
    CLASSIFIER_DATA / "train_z.jsonl",
    CLASSIFIER_DATA / "train_k.jsonl",
    CLASSIFIER_DATA / "train_t4.jsonl",
    CLASSIFIER_DATA / "train_h.jsonl",
    CLASSIFIER_DATA / "train_j.jsonl",
    CLASSIFIER_DATA / "train_l.jsonl",
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (WIJKWINKEL_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (WIJKWINKEL_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (WIJKWINKEL_WORKERS).")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        reload=reload,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@cli.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Run each job once and deliver what is due now, then stop.")
    ] = False,
) -> None:
    """Run the background jobs until stopped: overdue announcements, webhook fan-out and
    delivery, the statistics cube, the daily retention purge (app/jobs/schedule.py). One per
    SQLite database; any number on PostgreSQL."""
    import logging

    from app.jobs import runner

    logging.basicConfig(level=get_settings().log_level.upper())
    if once:
        typer.echo(f"{runner.run_once()} deliveries attempted")
        return
    runner.run(poll_seconds=get_settings().worker_poll_seconds)


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (Alembic) to the newest revision."""
    from app.core import migrate as migrations

    migrations.upgrade(revision=revision)
    typer.echo(f"database migrated to {revision}")


@org_cli.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="Display name, unique.")],
    type: Annotated[str, typer.Option("--type", help="Organisation type.")],
) -> None:
    """Create an organisation and print it as JSON."""
    from app.organisations import service
    from app.organisations.models import OrganisationType

    try:
        org_type = OrganisationType(type)
    except ValueError:
        _fail(f"unknown type '{type}'; choose from {', '.join(t.value for t in OrganisationType)}")
        return
    with Session(get_engine()) as session:
        try:
            org = service.create(session=session, name=name, type=org_type)
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
        typer.echo(json.dumps({"id": str(org.id), "name": org.name, "type": str(org.type)}))


@key_cli.command("create")
def key_create(
    organisation: Annotated[str, typer.Argument(help="Organisation id or exact name.")],
    scope: Annotated[
        list[str], typer.Option("--scope", "-s", help="Scope; repeat for more than one.")
    ],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
    expires: Annotated[datetime | None, typer.Option(help="Expiry moment (ISO 8601, UTC).")] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Expire this many days from now.")
    ] = None,
) -> None:
    """Create an API key. The key is printed once and never stored in plain text."""
    from datetime import UTC, timedelta

    from app.core.types import utcnow

    try:
        scopes = [Scope(s) for s in scope]
    except ValueError:
        _fail(f"unknown scope in {scope}; choose from {', '.join(s.value for s in Scope)}")
        return
    if expires is not None and expires_in_days is not None:
        _fail("give --expires or --expires-in-days, not both")
        return
    if expires_in_days is not None:
        expires = utcnow() + timedelta(days=expires_in_days)
    with Session(get_engine()) as session:
        org = _find_org(session, organisation)
        try:
            key, plain = api_keys.create_key(
                session=session,
                organisation_id=org.id,
                name=name,
                scopes=scopes,
                expires_at=expires.replace(tzinfo=expires.tzinfo or UTC) if expires else None,
            )
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
        _print_key(key, plain)


def _print_key(key: Any, plain: str, **extra: str | None) -> None:
    """A new key as JSON: the only time it is shown."""
    expires = key.expires_at.isoformat() if key.expires_at else None
    typer.echo(
        json.dumps(
            {
                "id": str(key.id),
                "organisation_id": str(key.organisation_id),
                "api_key": plain,
                "expires_at": expires,
                **extra,
            }
        )
    )


@key_cli.command("revoke")
def key_revoke(key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key at once."""

    with Session(get_engine()) as session:
        try:
            key = api_keys.revoke_key(session=session, key_id=key_id)
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
        typer.echo(f"revoked {key.id} ({key.prefix}…) at {key.revoked_at}")


@key_cli.command("rotate")
def key_rotate(
    key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id.")],
    grace_hours: Annotated[
        float | None,
        typer.Option(min=0, help="How long the old key keeps working (default: the setting)."),
    ] = None,
) -> None:
    """Issue a successor key (printed once); the old one keeps working for the grace period."""
    from datetime import timedelta

    hours = get_settings().api_key_rotation_grace_hours if grace_hours is None else grace_hours
    with Session(get_engine()) as session:
        try:
            key, plain, old = api_keys.rotate_key(
                session=session, key_id=key_id, grace=timedelta(hours=hours)
            )
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
        _print_key(
            key,
            plain,
            replaces=str(old.id),
            replaced_key_expires_at=old.expires_at.isoformat() if old.expires_at else None,
        )


@user_cli.command("create")
def user_create(
    organisation: Annotated[str, typer.Argument(help="Organisation id or exact name.")],
    username: Annotated[str, typer.Argument(help="Login name, unique (letters, digits, .-_@).")],
    role: Annotated[
        str,
        typer.Option(
            help="staff (intakes and referrals), analyst (statistics only) or admin (staff, "
            "plus the organisation's administration)."
        ),
    ] = "staff",
    display_name: Annotated[str | None, typer.Option(help="Name shown on the pages.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="WIJKWINKEL_NEW_PASSWORD",
            help="The password (at least 12 characters); left out: a random one is printed "
            "once. Prefer the environment variable to the command line.",
        ),
    ] = None,
) -> None:
    """Create a staff login for the web pages and print it as JSON."""
    import secrets

    from app.auth import staff as service
    from app.auth.scopes import Role

    try:
        user_role = Role(role)
    except ValueError:
        _fail(f"unknown role '{role}'; choose from {', '.join(r.value for r in Role)}")
        return
    plain = password or secrets.token_urlsafe(12)
    with Session(get_engine()) as session:
        org = _find_org(session, organisation)
        try:
            user = service.create_user(
                session=session,
                organisation_id=org.id,
                username=username,
                role=user_role,
                password=plain,
                display_name=display_name,
            )
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
        out = {
            "id": str(user.id),
            "organisation_id": str(user.organisation_id),
            "username": user.username,
            "role": user.role,
        }
        if password is None:
            out["password"] = plain
        typer.echo(json.dumps(out))


@user_cli.command("set-password")
def user_set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="WIJKWINKEL_NEW_PASSWORD",
            help="The new password; left out: a random one is printed once.",
        ),
    ] = None,
) -> None:
    """Set a new password; this also lifts a lockout and ends the user's logins."""
    import secrets

    from app.auth import staff as service

    plain = password or secrets.token_urlsafe(12)
    with Session(get_engine()) as session:
        user = service.get_by_username(session=session, username=username)
        if user is None:
            _fail(f"no user '{username}'")
            return
        try:
            service.set_password(session=session, user=user, password=plain)
            name = user.username
            session.commit()
        except WijkwinkelError as exc:
            _fail(exc.detail)
            return
    typer.echo(json.dumps({"username": name, "password": plain if password is None else None}))


def _set_active(username: str, active: bool) -> None:
    from app.auth import staff as service

    with Session(get_engine()) as session:
        user = service.get_by_username(session=session, username=username)
        if user is None:
            _fail(f"no user '{username}'")
            return
        service.set_active(session=session, user=user, active=active)
        out = {"username": user.username, "active": user.active}
        session.commit()
    typer.echo(json.dumps(out))


@user_cli.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Switch a login off (someone leaves): it cannot log in, and its open sessions end now."""
    _set_active(username, False)


@user_cli.command("activate")
def user_activate(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Switch a login back on."""
    _set_active(username, True)


def _find_org(session: Session, ref: str):  # type: ignore[no-untyped-def]
    from app.organisations.models import Organisation

    try:
        org = session.get(Organisation, uuid.UUID(ref))
    except ValueError:
        org = session.exec(select(Organisation).where(Organisation.name == ref)).first()
    if org is None:
        _fail(f"no organisation '{ref}'")
    return org


def _keys_work(session: Session, path: Path) -> bool:
    """Whether the first key in a demo keys file authenticates against this database."""
    from datetime import timedelta

    from app.core.errors import Unauthenticated

    try:
        key = json.loads(path.read_text(encoding="utf-8"))["organisations"][0]["api_key"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    try:
        api_keys.authenticate(session=session, token=key, last_used_resolution=timedelta(days=1))
    except Unauthenticated:
        return False
    return True


@cli.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    output: Annotated[
        Path | None, typer.Option(help="Also write the JSON to this file (mode 600).")
    ] = None,
    if_new: Annotated[
        bool,
        typer.Option("--if-new", help="Only when the database has no organisations yet."),
    ] = False,
) -> None:
    """Create demo organisations (one of each type) and routing data; print fresh keys."""
    from app import demo as demo_data
    from app.organisations.models import Organisation

    with Session(get_engine()) as session:
        if if_new and session.exec(select(Organisation)).first() is not None:
            where = output or get_settings().demo_keys_file
            if _keys_work(session, where):
                typer.echo(
                    f"Database already has organisations; demo skipped. "
                    f"Demo keys from the first run are in {where}.",
                    err=True,
                )
                return
            # The keys file belongs to another database (or is gone): issue fresh keys.
            typer.echo(f"The keys in {where} do not work with this database; new ones:", err=True)
        result = demo_data.seed(session=session)
        session.commit()
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
        output.chmod(0o600)
    if as_json:
        typer.echo(text)
    else:
        for org in result["organisations"]:
            typer.echo(f"{org['type']:<15} {org['name']:<40} {org['api_key']}")
        port = get_settings().port
        typer.echo(f"\nStaff pages (http://localhost:{port}/login): username and password")
        for org in result["organisations"]:
            typer.echo(f"{org['type']:<15} {org['username']:<25} {org['password']}")
    if output:
        typer.echo(f"Demo keys written to {output}", err=True)


@cli.command()
def openapi(
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
) -> None:
    """Print (or write) the OpenAPI document."""
    from app.main import app

    text = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


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
        _fail(str(exc))
        return
    if not rows:
        _fail("no labelled rows in " + ", ".join(str(f) for f in files))
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


def _training_files(
    files: list[Path], held_out_advice: str
) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each JSONL file with its labelled rows; never the held-out test split."""
    from app.classification import evaluate

    if any(f.name.startswith("test") for f in files):  # test5.jsonl, and any later split
        _fail(f"the test split is held out; {held_out_advice}")
    try:
        return [(f, evaluate.load_jsonl(f)) for f in files]
    except (OSError, ValueError) as exc:
        _fail(str(exc))
        raise  # not reached: _fail exits


def _training_rows(files: list[Path], held_out_advice: str) -> list[dict[str, Any]]:
    return [row for _, rows in _training_files(files, held_out_advice) for row in rows]


@classifier_cli.command("train")
def classifier_train(
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Labelled JSONL; repeat. Default: the train*.jsonl files and dev."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write the model.")] = None,
    min_recall: Annotated[
        float | None,
        typer.Option(help="Recall each domain must keep out of fold (default 0.92)."),
    ] = None,
) -> None:
    """Train the learned layer and choose thresholds by cross-validation. Never on the test
    split: that one is for `classifier eval` only."""
    from app.classification import learned, model, service

    files = data or DEFAULT_TRAIN_DATA
    rows = _training_rows(files, "train on train and dev (and corrections) only")
    digest = model.data_digest(files)
    trained, report = model.fit(
        rows,
        service.engine(),
        version=f"lr-{digest}",
        min_recall=model.MIN_RECALL if min_recall is None else min_recall,
    )
    target = output or learned.MODEL_FILE
    model.save(trained, target)
    typer.echo(json.dumps({"model": str(target), "examples": len(rows), **report}, indent=2))


def _writer(row: dict[str, Any], file: Path) -> str:
    """Who wrote a row: an id's letters (train, dev and train_t1 share the first writer's q),
    else the file."""
    found = re.match(r"[a-z]+", str(row.get("id") or ""))
    return found.group() if found else file.stem


@classifier_cli.command("cv")
def classifier_cv(
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Labelled JSONL; repeat. Default: the training files."),
    ] = None,
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
        _fail(f"--by-writer needs at least {folds} writers (one fold each), got {len(set(groups))}")

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

    with Session(get_engine()) as session:
        rows = intakes.export_corrections(session=session)
        session.commit()  # the access log entry for this export
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} corrections written to {output}", err=True)
    else:
        sys.stdout.write(text)


@stats_cli.command("refresh")
def stats_refresh(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Rebuild every month, not only the changed ones.")
    ] = False,
) -> None:
    """Bring the statistics cube up to date (the worker and requests also do this)."""
    import time

    from app.stats import cube

    started = time.perf_counter()
    with Session(get_engine()) as session:
        if rebuild:
            cube.reset(session)
        months = cube.refresh(session)
        session.commit()
    typer.echo(
        f"statistics cube: {months} month(s) rebuilt in {time.perf_counter() - started:.1f} s"
    )


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the access log's hash chain from the first entry to the last (exit 1 if broken)."""
    from app.audit import service as audit

    with Session(get_engine()) as session:
        result = audit.verify(session=session)
    if result.intact:
        typer.echo(f"access log intact: {result.entries} entries, chain unbroken")
        typer.echo(f"last hash: {result.head_hash} (keep it outside the database)")
        return
    _fail(
        f"access log broken at entry {result.broken_at}: {result.reason} "
        f"({result.entries} entries before it are intact)"
    )


@cli.command()
def purge(
    older_than_days: Annotated[
        int | None,
        typer.Option(help="Instead of WIJKWINKEL_RETENTION_MONTHS: intakes closed this long ago."),
    ] = None,
) -> None:
    """Anonymise the personal data of intakes closed longer ago than the retention period."""
    from datetime import timedelta

    from app.retention import service as retention

    older_than = timedelta(days=older_than_days) if older_than_days is not None else None
    result = retention.purge_all(older_than=older_than)
    typer.echo(
        f"anonymised {result.anonymised} intake(s) closed before {result.cutoff:%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
