#!/usr/bin/env python3
"""Web-page benchmark (Python 3 standard library; trafilatura from PyPI for the comparison).

    python3 benches/extract.py                  # all of it
    python3 benches/extract.py --no-trafilatura # korpus only
    python3 benches/extract.py --runs 5

On the article-extraction set in ../shared/eval/article-extraction (181 real news pages with
hand-checked bodies; the pages belong to their publishers and stay outside the repository),
measured in one run:

  * main-text quality of `korpus extract --format text`: F1, precision, recall and accuracy
    from the set's own score.py, and the ten worst pages;
  * speed of `korpus extract` over all pages in one process on one thread (pages/s, MB/s of
    HTML), against trafilatura (Python, default settings, `trafilatura.extract(html)`) over
    the same decompressed pages in one process, timing only its extraction loop; --runs runs
    of each, alternating, medians shown;
  * `korpus ingest` of one WARC (one gzip member per record) holding the 181 pages as HTTP
    responses: wall time, pages/s, peak RSS.

trafilatura is installed into WORK/venv on first use (it needs lxml_html_clean beside it).
"""
import argparse
import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRAFILATURA_LOOP = r"""
import sys, time, pathlib, trafilatura
pages = [(p.stem, p.read_text(encoding="utf-8", errors="replace"))
         for p in sorted(pathlib.Path(sys.argv[1]).glob("*.html"))]
out = pathlib.Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
texts = [(i, trafilatura.extract(h) or "") for i, h in pages]
print(time.perf_counter() - start)
for i, t in texts:
    (out / f"{i}.txt").write_text(t, encoding="utf-8")
"""


def timed(cmd, **kw):
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], stderr=subprocess.PIPE, text=True, **kw)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 2):
        sys.exit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024
    return wall, rss


def score(bench, out):
    p = subprocess.run([sys.executable, str(bench / "score.py"), str(out), "--worst", "10"],
                       capture_output=True, text=True, check=True)
    return p.stdout


def warc_record(kind, uri, block, content_type):
    head = (f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Date: 2019-11-20T00:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return gzip.compress(head.encode() + block + b"\r\n\r\n", mtime=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/korpus-bench-web")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-trafilatura", action="store_true")
    args = ap.parse_args()
    bench = Path(args.shared) / "eval" / "article-extraction"
    if not (bench / "score.py").exists():
        sys.exit(f"no article-extraction set at {bench}: pass --shared")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    print("building (dist profile)…", file=sys.stderr)
    subprocess.run(["cargo", "build", "--profile", "dist", "--quiet", "--bin", "korpus"], cwd=ROOT, check=True)
    korpus = str(ROOT / "target/dist/korpus")

    pages = work / "pages"
    if not pages.exists():
        pages.mkdir()
        for f in sorted((bench / "html").glob("*.html.gz")):
            (pages / f.name[:-3]).write_bytes(gzip.decompress(f.read_bytes()))
    files = sorted(pages.glob("*.html"))
    mb = sum(f.stat().st_size for f in files) / 1e6
    truth = json.loads((bench / "ground-truth.json").read_text())

    python = None
    if not args.no_trafilatura:
        venv = work / "venv"
        python = venv / "bin" / "python"
        if not python.exists():
            print("installing trafilatura into", venv, file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "trafilatura", "lxml_html_clean"],
                           check=True)
        (work / "traf.py").write_text(TRAFILATURA_LOOP)

    env = dict(os.environ, RAYON_NUM_THREADS="1")
    korpus_runs, traf_runs = [], []
    for _ in range(args.runs):
        out = work / "out-korpus"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        start = time.perf_counter()
        # One process over all pages; each article's text separated by a marker line.
        p = subprocess.run([korpus, "extract", *map(str, files)], capture_output=True, env=env)
        korpus_runs.append(time.perf_counter() - start)
        if python:
            p2 = subprocess.run([str(python), str(work / "traf.py"), str(pages), str(work / "out-trafilatura")],
                                capture_output=True, text=True, check=True)
            traf_runs.append(float(p2.stdout.strip().splitlines()[-1]))
    # The texts per page, for the quality score (one process per page, not timed).
    out = work / "out-korpus"
    for f in files:
        r = subprocess.run([korpus, "extract", str(f)], capture_output=True)
        (out / f"{f.stem}.txt").write_bytes(r.stdout)
    quality = score(bench, out)

    warc = work / "pages.warc.gz"
    with open(warc, "wb") as w:
        for f in files:
            html = f.read_bytes()
            http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + f"Content-Length: {len(html)}\r\n\r\n".encode() + html)
            w.write(warc_record("response", truth[f.stem]["url"], http, "application/http; msgtype=response"))
    ingests = []
    for _ in range(args.runs):
        idx = work / "warc-index"
        shutil.rmtree(idx, ignore_errors=True)
        ingests.append(timed([korpus, "--index", str(idx), "ingest", "-q", "--threads", "2", str(warc)],
                             stdout=subprocess.DEVNULL))

    med = statistics.median
    k = med(korpus_runs)
    res = {
        "pages": len(files), "html_mb": round(mb, 1),
        "korpus_extract_s": round(k, 3), "korpus_pages_per_s": round(len(files) / k, 1),
        "korpus_mb_per_s": round(mb / k, 1),
        "warc_ingest_s": round(med(w for w, _ in ingests), 3),
        "warc_ingest_pages_per_s": round(len(files) / med(w for w, _ in ingests), 1),
        "warc_ingest_rss_mb": round(med(r for _, r in ingests) / 1e6),
        "quality": quality.splitlines()[0],
    }
    print(f"| measure | korpus | trafilatura |\n|---|---:|---:|")
    t = med(traf_runs) if traf_runs else None
    if t:
        res.update({"trafilatura_s": round(t, 3), "trafilatura_pages_per_s": round(len(files) / t, 1),
                    "speedup": round(t / k, 1), "trafilatura_quality": score(bench, work / "out-trafilatura").splitlines()[0]})
    print(f"| extract, {len(files)} pages ({mb:.1f} MB), one thread | {k:.2f} s = {len(files)/k:.0f} pages/s, "
          f"{mb/k:.1f} MB/s | " + (f"{t:.2f} s = {len(files)/t:.0f} pages/s ({t/k:.1f}× slower) |" if t else "– |"))
    print(f"| ingest of the pages as one .warc.gz, 2 threads | {res['warc_ingest_s']} s = "
          f"{res['warc_ingest_pages_per_s']} pages/s, {res['warc_ingest_rss_mb']} MB peak RSS | – |")
    print()
    print("korpus:", quality)
    if t:
        print("trafilatura:", res["trafilatura_quality"])
    n = len(list(work.glob("results-*.json")))
    (work / f"results-{n + 1}.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
