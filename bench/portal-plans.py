#!/usr/bin/env python3
"""Times searches the portal does not keep (pages 2-4 of each query, with
and without the count) on two custos builds, each served twice in turn,
over the generated million-item catalogue of `custos-bench web`.

    python3 bench/portal-plans.py BEFORE_BINARY AFTER_BINARY [CATALOGUE]

Prints the median and maximum of 12 requests per query and build. Reads
the portal only over HTTP; writes nothing. The catalogue and its values
(collections, places) are the generator's, and fictional.
"""

import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

CATALOGUE = sys.argv[3] if len(sys.argv) > 3 else "bench-out/catalogue"
QUERIES = [
    "kind:letter",
    "kind:video",
    "language:hy",
    "language:de",
    "date:1980..1989",
    "date:1985",
    'collection:"Grodrarn papers"',
    "place:Veashar",
    "place:Zyre kind:testimony",
    "kind:video date:1990..1999",
    "language:de kind:photo",
    "event:x",
    "kind:audio -language:en",
]


def run(binary, port):
    server = subprocess.Popen(
        [binary, "serve", "--archive", CATALOGUE, "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/").read()
                break
            except OSError:
                time.sleep(0.1)
        out = {}
        for q in QUERIES:
            times = []
            for page in range(1, 4):  # later pages: never kept
                for count in ("", "&count=true"):
                    url = (
                        f"http://127.0.0.1:{port}/api/items?q={urllib.parse.quote(q)}"
                        f"&limit=20&offset={page * 20}{count}"
                    )
                    t = time.perf_counter()
                    urllib.request.urlopen(url).read()
                    times.append(time.perf_counter() - t)
            out[q] = times
        return out
    finally:
        server.terminate()
        server.wait()


def main():
    before, after = sys.argv[1], sys.argv[2]
    a1, b1 = run(before, 18101), run(after, 18102)
    a2, b2 = run(before, 18103), run(after, 18104)
    print(f"{'query':40} {'before ms':>10} {'after ms':>10}  (median of 12; max)")
    for q in QUERIES:
        a, b = a1[q] + a2[q], b1[q] + b2[q]
        print(
            f"{q:40} {statistics.median(a) * 1000:10.1f} {statistics.median(b) * 1000:10.1f}"
            f"  (max {max(a) * 1000:.0f} / {max(b) * 1000:.0f})"
        )


if __name__ == "__main__":
    main()
