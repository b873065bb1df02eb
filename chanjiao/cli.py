"""The `chanjiao` command line (interface.md). Results go to stdout; logs go to stderr."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from chanjiao import settings as config
from chanjiao.app import home
from chanjiao.app.as_of import NotPublished, RebuildFailed, rebuild
from chanjiao.app.build import build
from chanjiao.app.ingest import ingest
from chanjiao.app.publish import publish
from chanjiao.app.read import export, indicators, query, status, trace
from chanjiao.backup import BackupError
from chanjiao.build import BuildError
from chanjiao.children import Interrupted, stop_on_signals
from chanjiao.files import confine, describe, os_error_in
from chanjiao.indicators import UnknownCode, format_table
from chanjiao.lineage.trace import NoSuchValue, format_trace
from chanjiao.marts import NotBuilt, QueryRefused
from chanjiao.publication import tables
from chanjiao.retention import PurgeRefused
from chanjiao.status import format_status
from ingestion.period import PATTERN, TIMEZONE, shown

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
log = logging.getLogger("chanjiao")


class Unavailable(RuntimeError):
    """A capability of interface.md that this version does not have yet."""


class Usage(ValueError):
    """Options that do not go together: one line, exit 2, before anything is read or written."""


def _period(text: str) -> str:
    if not re.fullmatch(PATTERN, text):
        raise argparse.ArgumentTypeError(f"period must be YYYY-MM, not {text!r}")
    return text


AS_OF_HELP = ("the release version current at time T (ISO 8601, Asia/Shanghai unless an offset is given; "
              "a date alone, e.g. 2026-11-05, is the end of that day), rebuilt from the archive")


def _timestamp(text: str) -> dt.datetime:
    """An ISO 8601 time (Asia/Shanghai without an offset). A date alone means the end of that day: "as
    published on 2026-11-05" includes what was published that day (the release of the 5th at 08:00)."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"time must be ISO 8601 (e.g. 2026-11-05T12:00+08:00), not {text!r}") from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        value += dt.timedelta(days=1, seconds=-1)  # publication times are kept to the second
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(TIMEZONE))


def _emit(args, data, text) -> None:
    """`text` may be a callable: the human table is then formatted only when it is printed (not for --json)."""
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(text() if callable(text) else text)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total > 1:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_init(args, settings) -> int:
    result = home.init(settings)
    _emit(args, result, f"initialised {settings.home}")
    return EXIT_OK


def cmd_templates(args, settings) -> int:
    paths = home.templates(Path(args.dir))
    _emit(args, [str(p) for p in paths], "\n".join(f"wrote {p}" for p in paths))
    return EXIT_OK


def cmd_ingest(args, settings) -> int:
    outcomes = ingest(settings, [Path(p) for p in args.paths], period=args.period, progress=_progress)
    lines = []
    for o in outcomes:
        lines.append(f"{o['status']:<10}{o['file']}  ({o['kind'] or '?'} {o['submitter'] or ''} {o['period'] or ''}, {o['rows']} rows)")
        for r in o["reasons"]:
            where = " ".join(str(x) for x in (r["sheet"], f"第{r['row']}行" if r["row"] else None, r["column"]) if x)
            lines.append(f"    {where}: {r['message']} [{r['rule']}]")
    _emit(args, outcomes, "\n".join(lines) or "no files found")
    return EXIT_REJECTED if any(o["status"] == "rejected" for o in outcomes) else EXIT_OK


def cmd_status(args, settings) -> int:
    result = status(settings, args.period)
    _emit(args, result, lambda: format_status(result))
    return EXIT_OK


def cmd_build(args, settings) -> int:
    result = build(settings, target=args.target)
    _emit(args, result, f"built on {args.target} in {result['seconds']} s" + (f"; marts published to {result['marts']}" if "marts" in result else ""))
    return EXIT_OK


def _period_range(args) -> tuple[str, str]:
    """--period P, or --from P --to P (both inclusive): the first and last period asked for."""
    ranged = args.from_period is not None or args.to_period is not None
    if args.period and ranged:
        raise Usage("give either --period P or --from P --to P, not both")
    if args.period:
        return args.period, args.period
    if args.from_period is None or args.to_period is None:
        raise Usage("give --period P, or a range --from P --to P (both inclusive)" if not ranged else "--from and --to go together")
    if args.from_period > args.to_period:
        raise Usage(f"--from {args.from_period} is after --to {args.to_period}")
    return args.from_period, args.to_period


def _query_format(args) -> str | None:
    """The format `query` writes (--format, or the suffix of --output), or None for the plain table."""
    fmt = args.format
    if args.output and not fmt:
        fmt = Path(args.output).suffix.lower().lstrip(".")
        if fmt not in tables.FORMATS:
            raise Usage(f"--format csv|xlsx|json is needed: the format cannot be told from {args.output!r}")
    if fmt == "xlsx" and not args.output:
        raise Usage("--format xlsx writes a file: give --output FILE")
    if fmt == "csv" and args.json and not args.output:
        raise Usage("--json prints one JSON document: give --output FILE for csv, or drop --json")
    return fmt


def _check_usage(args) -> None:
    """Options that do not go together, refused before settings are read or anything is opened."""
    if args.command == "indicators":
        args.first, args.last = _period_range(args)
        if args.children and not args.region:
            raise Usage("--children lists a region's direct children: give --region CODE")
    elif args.command == "query":
        args.format = _query_format(args)


def cmd_indicators(args, settings) -> int:
    first, last = args.first, args.last
    rows, fractions = indicators(settings, first, args.region, args.indicator, until=last, children=args.children)
    asked = first if first == last else f"{first} to {last}"
    _emit(args, rows, lambda: format_table(rows, fractions) if rows else f"no indicator values for {asked}")
    return EXIT_OK


def cmd_publish(args, settings) -> int:
    if args.as_of:

        result = rebuild(settings, args.period, args.as_of)
        _emit(args, result, f"rebuilt {args.period} {result['version']} (published {shown(dt.datetime.fromisoformat(result['published_at']))}) "
                            f"from {result['loads']} archived files "
                            f"into {result['rebuilt']}; indicators.csv is byte-identical to {result['original']}")
        return EXIT_OK

    result = publish(settings, args.period)
    if result["status"] == "unchanged":
        text = f"{args.period} {result['version']} unchanged (same loads, code version and statistics): nothing written"
    elif result["revisions_against"]:
        text = (f"published {args.period} {result['version']} to {result['path']}; "
                f"{result['revisions']} revisions against {result['revisions_against']} (revisions.csv)")
    else:
        text = f"published {args.period} {result['version']} to {result['path']}; first version, no revisions"
    _emit(args, result, text)
    return EXIT_OK


def cmd_trace(args, settings) -> int:
    result = trace(settings, args.indicator, args.region, args.period, as_of=args.as_of, compare_to=args.compare_to)
    _emit(args, result, lambda: format_trace(result))
    return EXIT_OK


def cmd_query(args, settings) -> int:
    fmt = args.format
    if args.output:
        result = export(settings, args.sql, fmt, Path(args.output))
        _emit(args, result, f"wrote {result['rows']} rows ({fmt}) to {result['path']}")
        return EXIT_OK
    if fmt:  # to stdout; CSV without the BOM a file gets (--output), so a pipe reads plain UTF-8
        names, rows = query(settings, args.sql)
        sys.stdout.write(tables.csv_text(names, rows) if fmt == "csv" else tables.json_text(names, rows))
        return EXIT_OK
    names, rows = query(settings, args.sql)
    data = [dict(zip(names, r)) for r in rows]
    _emit(args, data, lambda: "\t".join(names) + "\n" + "\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows))
    return EXIT_OK


def cmd_backup(args, settings) -> int:
    result = home.backup(settings, Path(args.dest))
    _emit(args, result, f"backed up {result['files']} files ({result['bytes']} bytes) of {settings.home} to {result['path']}; manifest.json holds their sha256")
    return EXIT_OK


def cmd_restore(args, settings) -> int:
    result = home.restore(settings, Path(args.src))
    _emit(args, result, f"restored {result['files']} files (backup taken {result['taken_at']}) into {result['home']}; every sha256 checked")
    return EXIT_OK


def cmd_purge(args, settings) -> int:
    result = home.purge(settings, args.originals_before)
    _emit(args, result, f"deleted {result['files_deleted']} files ({result['bytes_freed']} bytes): the originals of {result['purged']} submissions "
                        f"received for periods before {result['originals_before']}; their ledger rows, hashes and warehouse rows remain "
                        f"(listed in {settings.purge_log})")
    return EXIT_OK


def cmd_demo(args, settings) -> int:
    # only here: the demo runs the cycle through the DAGs and needs the `airflow` extra; the CLI does not
    from chanjiao.demo.run import run_demo

    if not args.verbose:  # one line per step from the demo itself; the rest is in its log file
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("chanjiao.demo").setLevel(logging.INFO)
    result = run_demo(settings, json_output=args.json, verbose=args.verbose)
    _emit(args, result["indicators"], result["table"])
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chanjiao", description="产教融合统计数据仓库 — industry–education integration statistics")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, func, help_text):
        c = sub.add_parser(name, help=help_text, description=help_text)
        c.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        c.set_defaults(func=func)
        return c

    command("init", cmd_init, "create $CHANJIAO_HOME and an empty warehouse (safe to run twice)")
    command("templates", cmd_templates, "write the blank reporting templates (.xlsx) into DIR").add_argument("dir")
    c = command("ingest", cmd_ingest, "archive, read, check and load (or quarantine) submitted files")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--period", type=_period, help="the collection period YYYY-MM (default: each file's own period)")
    command("status", cmd_status, "the collection's state for a period").add_argument("--period", type=_period, required=True)
    command("build", cmd_build, "build the warehouse (dbt models and tests) from what has been accepted").add_argument(
        "--target", choices=["duckdb", "postgres"], default="duckdb", help="postgres: build the same project on PostgreSQL from a mirror of the raw tables")
    c = command("indicators", cmd_indicators, "indicator values with their targets")
    c.add_argument("--period", type=_period, help="one period YYYY-MM (or a range: --from, --to)")
    c.add_argument("--from", dest="from_period", type=_period, metavar="P", help="a time series: the first period (inclusive)")
    c.add_argument("--to", dest="to_period", type=_period, metavar="P", help="a time series: the last period (inclusive)")
    c.add_argument("--region")
    c.add_argument("--children", action="store_true", help="the region and its direct children (a city's counties, a province's cities)")
    c.add_argument("--indicator")
    c = command("publish", cmd_publish, "write the monthly release for a period (a new version only if its inputs changed)")
    c.add_argument("--period", type=_period, required=True)
    c.add_argument("--as-of", type=_timestamp, metavar="T", help=AS_OF_HELP)
    c = command("trace", cmd_trace, "the lineage of one published number, down to source files and rows")
    c.add_argument("--indicator", required=True)
    c.add_argument("--region", required=True)
    c.add_argument("--period", type=_period, required=True)
    c.add_argument("--as-of", type=_timestamp, metavar="T", help=AS_OF_HELP)
    c.add_argument("--compare-to", type=_period, metavar="P2",
                   help="also list the reporting units whose contribution changed since period P2, and the submissions that changed them")
    c = command("query", cmd_query, "read-only SQL against the marts")
    c.add_argument("sql")
    c.add_argument("--format", choices=tables.FORMATS,
                   help="csv (UTF-8 with BOM in a file), xlsx (needs --output) or json; without --output printed on stdout")
    c.add_argument("--output", metavar="FILE", help="write the result to FILE (format from --format, or from FILE's suffix)")
    command("backup", cmd_backup,
            "a consistent copy of the home (warehouse, archive, quarantine, publications, …) into DEST, with a sha256 manifest").add_argument("dest")
    command("restore", cmd_restore, "restore a backup into an empty CHANJIAO_HOME, checking every file against its manifest").add_argument("src")
    command("purge", cmd_purge,
            "delete the originals (archived and quarantined files, the only raw personal data) of periods before a cut-off; "
            "the ledger, hashes and warehouse stay").add_argument(
        "--originals-before", type=_period, required=True, metavar="YYYY-MM",
        help="the first period whose originals are kept; periods inside the revision window are refused")
    command("demo", cmd_demo, "three months of sample submissions and a late correction, through the Airflow DAGs (ingest, build, publish)"
            ).add_argument("--verbose", action="store_true", help="show Airflow's, dbt's and the tasks' logs (otherwise in $CHANJIAO_HOME/demo.log)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its import chatter is not the user's business
    stop_on_signals()
    try:
        _check_usage(args)
        config.prepare_process()
        settings = config.load()
        confine(settings)  # personal data: nothing is created under the caller's (perhaps open) umask
        return args.func(args, settings)
    except Usage as err:
        print(f"chanjiao {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, Interrupted) as err:
        signum = getattr(err, "signum", signal.SIGINT)
        print(f"chanjiao {args.command}: stopped by {signal.Signals(signum).name} (its child processes were stopped too)", file=sys.stderr)
        return 128 + signum
    except (config.ConfigError, Unavailable, NotBuilt, NoSuchValue, NotPublished, RebuildFailed, BuildError, FileNotFoundError,
            QueryRefused, UnknownCode, BackupError, PurgeRefused) as err:
        print(f"chanjiao {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as err:  # a bad query, a locked warehouse, a full disk: say what, not a traceback
        if isinstance(err, duckdb.Error):
            # one line: DuckDB's own message, with its LINE context but not the caret under it
            text = " ".join(line.strip() for line in str(err).splitlines() if line.strip().strip("^"))
            print(f"chanjiao {args.command}: {text}", file=sys.stderr)
            return EXIT_FAILED
        if (os_error := os_error_in(err)) is not None:
            print(f"chanjiao {args.command}: {describe(os_error)}", file=sys.stderr)
            return EXIT_FAILED
        raise


if __name__ == "__main__":
    sys.exit(main())
