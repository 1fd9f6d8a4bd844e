"""Fault drills: break a running Relational on purpose and measure what people would notice.

    make drills                               # the full versions; figures in bench/results/
    python -m bench.drills --short            # the short versions that `make test` runs

* :mod:`bench.drills.stack` — the processes: a private PostgreSQL, Redis and mail server, app
  servers, workers and a beat, all on loopback and all the drill's own;
* :mod:`bench.drills.world` — the people, places and cycles every drill starts from;
* :mod:`bench.drills.load` — the readers and writers, every answer recorded;
* :mod:`bench.drills.scenarios` — the faults, the checks and the figures.

README "Fault drills" says what each drill breaks and what its figures mean.
"""
