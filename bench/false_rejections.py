"""False rejections and false acceptances of the reader and gate on independently generated files.

    .venv/bin/python bench/false_rejections.py N [--seed S] [--batch B] [--examples K]

Generates N valid submissions (tests/valid_submissions.py: every kind, format and mess of
templates.md), writes them into a temporary folder, reads and gates them in batches of one collection
period each (GX imported once, one gate run per batch), and counts
- false rejections: a valid file with any problem;
- misreads: a valid file accepted but whose values did not read back exactly;
- false acceptances: a copy of each file with exactly one rule broken that is accepted;
- misplaced: a broken copy rejected, but not exactly at the sheet, row and column of the broken rule.
Prints progress per batch, the figures, and failing examples.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.valid_submissions import differences, generate, locations, mutate, random_period  # noqa: E402

KEY = b"bench-false-rejections"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=200, help="files per gate run (one collection period)")
    ap.add_argument("--examples", type=int, default=5, help="failing examples shown per class")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import great_expectations  # noqa: F401 (seconds to import: once, and timed here)

    from expectations.gate import validate
    from ingestion.read import read_file
    print(f"imported the gate in {time.perf_counter() - t0:.1f} s", flush=True)

    rng = random.Random(args.seed)
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {"false rejection": [], "misread": [], "false acceptance": [], "misplaced": []}
    reasons: Counter = Counter()  # false rejections by rule and column
    by_kind: Counter = Counter()
    done = 0
    with tempfile.TemporaryDirectory(prefix="false_rejections_") as tmp:
        while done < args.n:
            size = min(args.batch, args.n - done)
            period = random_period(rng)
            valid_dir, broken_dir = Path(tmp, f"v{done}"), Path(tmp, f"m{done}")
            valid_dir.mkdir(), broken_dir.mkdir()
            subs = [generate(rng, period=period, n=done + i) for i in range(size)]
            broken = [mutate(s, rng) for s in subs]
            parsed = [read_file(s.write(valid_dir), KEY, period) for s in subs]
            parsed_broken = [read_file(b.write(broken_dir), KEY, period) for b, _, _ in broken]
            everything = parsed + parsed_broken
            verdicts = validate(everything, {p.sha256: period for p in everything})
            for s, p, (b, which, where), pb in zip(subs, parsed, broken, parsed_broken):
                counts["files"] += 1
                by_kind[(s.kind, s.fmt)] += 1
                problems = p.problems + verdicts[p.sha256]["problems"]
                label = f"{s.filename} ({s.kind}, {s.fmt}{', ' + s.encoding if s.encoding else ''}, period {period}; {', '.join(s.mess) or 'clean'})"
                if problems:
                    counts["false rejection"] += 1
                    reasons.update({(q.rule, q.column) for q in problems})
                    examples["false rejection"].append(label + "".join(f"\n      {q.sheet!r} row {q.row} {q.column!r} [{q.rule}] {q.message}"
                                                                       for q in problems[:6]))
                else:
                    diff = differences(s, p, KEY)
                    if diff:
                        counts["misread"] += 1
                        examples["misread"].append(label + "".join(f"\n      {d}" for d in diff[:6]))
                broken_problems = pb.problems + verdicts[pb.sha256]["problems"]
                counts[f"mutation {which}"] += 1
                if not broken_problems:
                    counts["false acceptance"] += 1
                    examples["false acceptance"].append(f"{b.filename} ({b.kind}, {b.fmt}): {which} at {sorted(where)} accepted")
                elif locations(broken_problems) != where:
                    counts["misplaced"] += 1
                    examples["misplaced"].append(f"{b.filename} ({b.kind}, {b.fmt}): {which} expected at {sorted(where)}, reported"
                                                 + "".join(f"\n      {q.sheet!r} row {q.row} {q.column!r} [{q.rule}] {q.message}" for q in broken_problems[:6]))
            done += size
            print(f"{done}/{args.n} files ({time.perf_counter() - t0:.0f} s): {counts['false rejection']} false rejections, "
                  f"{counts['misread']} misread, {counts['false acceptance']} false acceptances, {counts['misplaced']} misplaced", flush=True)

    n = counts["files"]
    print(f"\nfiles: {n} ({', '.join(f'{k} {f}: {c}' for (k, f), c in sorted(by_kind.items()))})")
    print(f"false rejections: {counts['false rejection']} of {n} valid files")
    print(f"misread (accepted, values differ): {counts['misread']}")
    print(f"false acceptances: {counts['false acceptance']} of {n} files with one rule broken")
    print(f"misplaced (rejected, not exactly at the broken cell): {counts['misplaced']}")
    print("mutations: " + ", ".join(f"{k[9:]} {c}" for k, c in sorted(counts.items()) if k.startswith("mutation ")))
    if reasons:
        print("false rejections by rule and column: " + ", ".join(f"{r}/{c}: {k}" for (r, c), k in reasons.most_common()))
    for name, shown in examples.items():
        for text in shown[:args.examples]:
            print(f"\n[{name}] {text}")
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
