"""What the benchmarks share: a line naming the machine, and their result blocks in
docs/benchmarks.md (each between `<!-- NAME:start -->` and `<!-- NAME:end -->`)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "benchmarks.md"


def machine(*, memory: bool = False) -> str:
    """'2 cores (CPU model), [N GiB RAM, ]Python 3.x.y'."""
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
        platform.processor(),
    )
    parts = [f"{os.cpu_count()} cores ({cpu})"]
    if memory:
        parts.append(
            f"{int(Path('/proc/meminfo').read_text().split()[1]) // (1024 * 1024)} GiB RAM"
        )
    return ", ".join([*parts, f"Python {platform.python_version()}"])


def record(name: str, block: str) -> None:
    """Put the block (which starts and ends with NAME's markers) in place of the old one,
    or at the end of the file."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = TARGET.read_text(encoding="utf-8") if TARGET.exists() else "# Benchmarks\n"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    TARGET.write_text(text, encoding="utf-8")


PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def fresh_database(backend: str, name: str, folder: Path) -> str:
    """The URL of an empty database: SQLite `folder/name.sqlite3` or PostgreSQL `name`."""
    if backend == "sqlite":
        db = folder / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{db}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def manage(database_url: str, *args: str, workers: int = 0) -> tuple[float, int, str]:
    """Seconds from start to exit, peak RSS (MiB, the largest process) and output of one
    manage.py command, run as production runs it (DEBUG off). `workers`: its
    PREANNOTATE_WORKERS (0: one per core)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false"}
    env["PREANNOTATE_WORKERS"] = str(workers)
    env["SECRET_KEY"] = env.get("SECRET_KEY", "bench-" + "x" * 60)
    command = [
        sys.executable,
        "-c",
        "import resource, runpy, sys, time; started = time.perf_counter()\n"
        "sys.argv = ['manage.py', *sys.argv[1:]]\n"
        "try:\n    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n"
        "    rss = max(resource.getrusage(who).ru_maxrss for who in "
        "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) // 1024\n"
        "    print(f'@@ {time.perf_counter() - started:.3f} {rss}', file=sys.stderr)",
        *args,
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    line = next(x for x in done.stderr.splitlines() if x.startswith("@@ "))
    seconds, rss = line.split()[1:]
    return float(seconds), int(rss), done.stdout.strip()


# In batches: one delete of every prediction asks SQLite for more variables than it allows.
DELETE_PREDICTIONS = (
    "from annotations.models import Annotation\n"
    "ids = list(Annotation.objects.filter(kind='prediction').values_list('pk', flat=True))\n"
    "for start in range(0, len(ids), 500):\n"
    "    Annotation.objects.filter(pk__in=ids[start:start + 500]).delete()"
)
