"""``make drills``: the fault drills' full versions, figures to bench/results/drills.json.

    python -m bench.drills                       # all four, full length (about 15 minutes)
    python -m bench.drills --short               # the short versions `make test` runs
    python -m bench.drills redis-outage --short  # one drill
    python -m bench.drills --keep DIR            # keep the stacks' logs and data in DIR

Exit status 1 if any drill's check failed (the figures are written all the same).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .scenarios import DRILLS, FULL, RESULTS, SHORT, Report, template_in


def table(reports: list[Report]) -> str:
    lines = [
        f"{'drill':<16} {'requests':>8} {'errors':>6} {'503':>5} {'recovery s':>10} "
        f"{'mail s':>7} {'due':>4} {'sent':>4} {'twice':>5} {'lost':>4} {'writes':>6}  result"
    ]
    for r in reports:
        phases = [p for p in r.phases if "messages" in p]
        due = sum(p["messages"]["total"]["due"] for p in phases)
        sent = sum(p["messages"]["total"]["sent"] for p in phases)
        twice = sum(p["messages"]["total"]["sent_twice"] for p in phases)
        lost = sum(p["messages"]["total"]["missing"] for p in phases)
        recover = [p["recovery"]["last_error_s"] for p in phases if "last_error_s" in p["recovery"]]
        mail = [p["recovery"]["mail_caught_up_s"] or 0 for p in phases]
        lines.append(
            f"{r.name:<16} {r.requests['requests']:>8} {r.requests['errors']:>6} "
            f"{r.requests['friendly_503']:>5} "
            f"{(max(recover) if recover else '-'):>10} {(max(mail) if mail else '-'):>7} "
            f"{due:>4} {sent:>4} {twice:>5} {lost:>4} "
            f"{r.writes['acknowledged'] - r.writes['missing']}/{r.writes['acknowledged']:<4} "
            f" {'pass' if r.passed else 'FAIL'}"
        )
        lines.extend(f"    FAILED {f}" for f in r.failures())
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("drills", nargs="*", choices=[[], *DRILLS], default=[])
    parser.add_argument("--short", action="store_true", help="the short versions (no file written)")
    parser.add_argument("--keep", type=Path, help="keep logs and data in this directory")
    args = parser.parse_args(argv)
    durations = SHORT if args.short else FULL
    names = args.drills or list(DRILLS)
    started = time.monotonic()
    reports: list[Report] = []
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with template_in(args.keep, keep_data=True) as template:
        for name in names:
            print(f"== {name} ({durations.version})", flush=True)
            report = DRILLS[name](template, durations)
            reports.append(report)
            print(table([report]), flush=True)
    print()
    print(table(reports))
    if args.keep:
        figures = [r.as_json() for r in reports]
        (args.keep / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    if not args.short and not args.drills:
        RESULTS.write_text(
            json.dumps(
                {
                    "generated": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": {
                        "cpus": os.cpu_count(),
                        "python": platform.python_version(),
                        "system": platform.platform(),
                    },
                    "version": durations.version,
                    "durations": {k: v for k, v in vars(durations).items() if k != "schedule"},
                    "schedule_seconds": vars(durations.schedule),
                    "seconds": round(time.monotonic() - started, 1),
                    "drills": [r.as_json() for r in reports],
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nfigures written to {RESULTS}")
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
