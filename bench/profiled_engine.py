"""`jiuzhu engine` under yappi (CPU clock, every thread), for `bench/engine.py --profile OUT`.

Run: `python bench/profiled_engine.py OUT -- <jiuzhu engine arguments>`; when the engine stops
(SIGTERM) the profile is written to OUT (pstats format: `python -m pstats OUT`) and the top
functions to OUT.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    import yappi  # only the profiled run needs it: `pip install yappi`

    out = Path(sys.argv[1])
    args = sys.argv[sys.argv.index("--") + 1 :]
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)

    def write() -> None:
        yappi.stop()
        stats = yappi.get_func_stats()
        stats.save(str(out), type="pstat")
        import pstats

        with open(f"{out}.txt", "w") as text:
            report = pstats.Stats(str(out), stream=text)
            report.sort_stats("cumulative").print_stats(80)
            report.sort_stats("tottime").print_stats(50)

    from jiuzhu.cli import main as cli_main

    try:
        return cli_main(["engine", *args])
    finally:
        write()


if __name__ == "__main__":
    sys.exit(main())
