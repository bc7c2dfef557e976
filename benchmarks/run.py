"""Run every benchmark in one process and print the figures side by side.

    .venv/bin/python -m benchmarks.run            # all
    .venv/bin/python -m benchmarks.run search     # one
    DESK_BENCH_MILLION=/tmp/million .venv/bin/python -m benchmarks.run million   # keeps the 1M desk
"""

from __future__ import annotations

import sys

from benchmarks import (bench_catalogue, bench_online, bench_intake, bench_launch, bench_lookup, bench_notify, bench_pages,
                        bench_million, bench_photos, bench_register, bench_scan, bench_search, bench_server,
                        bench_supervisor)
from benchmarks.common import report

ALL = {"intake": ("Save to receipt PDF", bench_intake.run),
       "catalogue": ("Catalogue import", bench_catalogue.run),
       "search": ("Dossier search over 100,000", bench_search.run),
       "supervisor": ("Supervisor queues on 200,000 dossiers, a year's statistics", bench_supervisor.run),
       "scan": ("Reading codes: corpus, live path, scan to screen", bench_scan.run),
       "server": ("Central server: push, a week's catch-up, status lookups, memory", bench_server.run),
       "lookup": ("Public lookup: wrong key vs unknown code, 3 and 2,000 events", bench_lookup.run),
       "pages": ("Citizen dossier page beside the JSON lookup", bench_pages.run),
       "notify": ("Notices: status event to Zalo (fake), worker throughput", bench_notify.run),
       "register": ("Register (Mẫu 06) PDF for 300 dossiers: rows a page", bench_register.run),
       "photos": ("Phone photos to pages (online submission), one core", bench_photos.run),
       "online": ("Online submission end to end: resumption after a cut, ten 12 MP photos", bench_online.run),
       "launch": ("Launch to the login window, login per role, a queue's refresh after a pull", bench_launch.run),
       "million": ("A million dossiers at the desk: search, supervisor, statistics, launch and login per role",
                   bench_million.run)}


def main(names: list[str]) -> None:
    for name in names or list(ALL):
        title, fn = ALL[name]
        report(title, fn())


if __name__ == "__main__":
    main(sys.argv[1:])
