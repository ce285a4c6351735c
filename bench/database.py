"""What every benchmark needs: a fresh, migrated PostgreSQL database of its own, and a server."""

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reset_database(url: str, env: dict[str, str]) -> None:
    """Drop and recreate the database named in `url`, then migrate it to head."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, check=True, cwd=ROOT)


@contextlib.contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[str]:
    """`wijkwinkel serve` as a separate process on a loopback port, until the block ends;
    yields the API's base URL once /health answers (at most 90 s: a busy machine is slow).
    """
    import httpx

    # What the server says goes to a file, for the error if it fails to start.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    said = log.read().decode(errors="replace").strip().splitlines()[-5:]
                    raise RuntimeError(f"no server on port {port}: {' | '.join(said)}")
                time.sleep(0.1)
            yield base
        finally:
            stop(server)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a process to stop; after 30 s (a worker finishing sends to a dead receiver, say),
    make it."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
