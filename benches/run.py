#!/usr/bin/env python3
"""korpus benchmark harness (Python 3 standard library only).

    python3 benches/run.py                 # 10,000 articles
    python3 benches/run.py --articles 100000
    python3 benches/run.py --txt           # also the file-per-article (.txt) path
    python3 benches/run.py --huge          # also one 100 MB single-line text file (and 300 MB)
    python3 benches/run.py --runs 5        # full ingests of each, alternating (default 3)
    python3 benches/run.py --articles 1000000 --runs 1 --increments 30   # archive scale

Generates a corpus with ../shared/bench/make_corpus.py (--seed 42) and queries with
../shared/bench/make_queries.py, builds korpus and the bare-Tantivy baseline
(benches/baseline.rs) in release mode, and measures in one run:

  * ingest (JSONL): wall time, articles/s, passages/s, MB/s, peak RSS (/usr/bin/time -v),
    index size — for korpus and for the baseline, which indexes the same paragraphs as
    {"title", "body"} lines with tantivy's en_stem analyzer on 2 threads; --runs full ingests of
    each, alternating, medians shown, with the ratio of each pair;
  * re-ingest of the unchanged corpus;
  * cold `korpus search` (a new process each time, warm page cache, top 10 with snippets,
    text output): p50 and p90 over 20 different queries (median of 5 runs each);
  * `korpus batch` queries/s for 1,000 and 10,000 queries (JSONL output with snippets,
    2 threads), counted over the whole process; --runs rounds, medians shown;
  * the German analyzer alone (benches/analyzer.rs): nanoseconds per word with cold and with
    warm word caches, one thread;
  * incremental ingest into the full index: 1,000 new articles (generated with another seed,
    ids prefixed `new…-`), then the same file again (unchanged), wall time and peak RSS; with
    --increments K, K such days in all, then cold search and batch again, with the segment count;
  * scaling: with a size other than 10,000 and a 10k result in WORK, how ingest time grew
    against the article count, for korpus and the baseline.

Results are printed as a Markdown table and written to WORK/results-N.json. The corpus is
made from 10kGNAD (CC BY-NC-SA 4.0): it stays in WORK (default /tmp/korpus-bench), outside the
repository.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS bytes, stderr)."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=stdout, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 2):
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024
    return wall, rss, p.stderr


def du(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def cold_search(korpus, index, lines):
    """Cold single searches: a new process each time, warm page cache; p50 and p90 in ms."""
    per_query = []
    for q in lines:
        cmd = [korpus, "--index", str(index), "search", q, "--color", "never"]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - t)
        per_query.append(statistics.median(runs))
    per_query.sort()
    return {"p50": 1000 * statistics.median(per_query),
            "p90": 1000 * per_query[int(0.9 * (len(per_query) - 1))]}


def batch(korpus, index, queries, threads, rounds):
    """Batch throughput, whole process; `rounds` rounds over each query set: medians and runs."""
    each = {k: [] for k in queries}
    for _ in range(rounds):
        for k, q in queries.items():
            t = time.perf_counter()
            subprocess.run([korpus, "--index", str(index), "batch", str(q), "--threads", str(threads), "-q"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            each[k].append(k / (time.perf_counter() - t))
    return {k: statistics.median(v) for k, v in each.items()}, each


def segments(index):
    """The segments of a tantivy index, from its meta.json."""
    return len(json.loads((Path(index) / "meta.json").read_text())["segments"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--work", default="/tmp/korpus-bench")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--txt", action="store_true", help="also measure ingest of one .txt file per article")
    ap.add_argument("--huge", action="store_true",
                    help="also measure ingest of one 100 MB and one 300 MB single-line .txt file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="full ingests of each (medians are shown)")
    ap.add_argument("--increments", type=int, default=1,
                    help="days of 1,000 new articles added to the full index (default 1)")
    args = ap.parse_args()
    n = args.articles
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    bench = Path(args.shared) / "bench"
    if not (bench / "make_corpus.py").exists():
        sys.exit(f"no corpus generator at {bench}: pass --shared")

    print("building (dist profile)…", file=sys.stderr)
    run(["cargo", "build", "--profile", "dist", "--quiet", "--bin", "korpus", "--example", "baseline",
         "--example", "analyzer"], cwd=ROOT)
    korpus = str(ROOT / "target/dist/korpus")
    baseline = str(ROOT / "target/dist/examples/baseline")

    corpus_dir = work / f"jsonl-{n}"
    articles = corpus_dir / "articles.jsonl"
    if not articles.exists():
        print(f"generating {n} articles…", file=sys.stderr)
        run([sys.executable, str(bench / "make_corpus.py"), "--articles", str(n), "--seed", "42",
             "--format", "jsonl", "--out", str(corpus_dir), "--quiet"])
    passages = corpus_dir / "passages.jsonl"
    if not passages.exists():
        with open(articles, encoding="utf-8") as src, open(passages, "w", encoding="utf-8") as out:
            for line in src:
                a = json.loads(line)
                for block in a["body"].split("\n\n"):
                    if block.strip():
                        out.write(json.dumps({"title": a["title"], "body": block}, ensure_ascii=False) + "\n")
    queries = {}
    for k in (1000, 10_000):
        q = work / f"queries-{k}.txt"
        if not q.exists():
            run([sys.executable, str(bench / "make_queries.py"), "--count", str(k), "--seed", "42", "--out", str(q)],
                stderr=subprocess.DEVNULL)
        queries[k] = q
    corpus_mb = articles.stat().st_size / 1e6
    baseline_passages = sum(1 for _ in open(passages, encoding="utf-8"))

    res = {"articles": n, "corpus_mb": round(corpus_mb, 1)}

    # Full ingests, baseline (bare tantivy over the same paragraphs) and korpus alternating;
    # each figure is the median of the runs (the machine is shared: one run can be off by 1.4x).
    bidx = work / "baseline-index"
    kidx = work / "korpus-index"
    runs = {"baseline": [], "korpus": []}
    for _ in range(args.runs):
        shutil.rmtree(bidx, ignore_errors=True)
        runs["baseline"].append(timed([baseline, str(bidx), str(passages)])[:2])
        shutil.rmtree(kidx, ignore_errors=True)
        wall, rss, err = timed([korpus, "--index", str(kidx), "ingest", "--rebuild", "-q",
                                "--threads", str(args.threads), str(articles)])
        runs["korpus"].append((wall, rss))
    m = re.search(r"(\d+) articles? .*?, (\d+) passages?", err)
    kp = int(m.group(2)) if m else 0
    med = lambda xs: statistics.median(xs)
    res["baseline"] = {"wall_s": med(w for w, _ in runs["baseline"]),
                       "rss_mb": med(r for _, r in runs["baseline"]) / 1e6,
                       "passages": baseline_passages, "size_mb": du(bidx) / 1e6,
                       "runs_s": [w for w, _ in runs["baseline"]]}
    res["korpus"] = {"wall_s": med(w for w, _ in runs["korpus"]),
                     "rss_mb": med(r for _, r in runs["korpus"]) / 1e6,
                     "passages": kp, "size_mb": du(kidx) / 1e6,
                     "runs_s": [w for w, _ in runs["korpus"]]}
    wall, rss, _ = timed([korpus, "--index", str(kidx), "ingest", "-q", "--threads", str(args.threads), str(articles)])
    res["reingest"] = {"wall_s": wall, "rss_mb": rss / 1e6}

    if args.txt:
        txt_dir = work / f"txt-{n}"
        if not txt_dir.exists():
            run([sys.executable, str(bench / "make_corpus.py"), "--articles", str(n), "--seed", "42",
                 "--format", "txt", "--out", str(txt_dir), "--quiet"])
        tidx = work / "korpus-txt-index"
        shutil.rmtree(tidx, ignore_errors=True)
        wall, rss, err = timed([korpus, "--index", str(tidx), "ingest", "--rebuild", "-q",
                                "--threads", str(args.threads), str(txt_dir)])
        res["txt"] = {"wall_s": wall, "rss_mb": rss / 1e6}

    if args.huge:
        res["huge"] = {}
        sentence = "Der Hafen von Rostock wächst weiter und die Kräne drehen sich. "
        for mb in (100, 300):
            hdir = work / f"huge-{mb}"
            hfile = hdir / "huge.txt"
            if not hfile.exists():
                hdir.mkdir(parents=True, exist_ok=True)
                reps = (mb << 20) // len(sentence.encode()) + 1
                hfile.write_text("Ein Titel\n" + sentence * reps, encoding="utf-8")
            hidx = work / f"huge-index-{mb}"
            shutil.rmtree(hidx, ignore_errors=True)
            wall, rss, _ = timed([korpus, "--index", str(hidx), "ingest", "-q", str(hfile)])
            res["huge"][mb] = {"wall_s": wall, "rss_mb": rss / 1e6}

    lines = [l.strip() for l in open(queries[1000], encoding="utf-8") if l.strip()][:20]
    res["search_ms"] = cold_search(korpus, kidx, lines)
    res["batch"], res["batch_runs"] = batch(korpus, kidx, queries, args.threads, args.runs)
    res["segments"] = segments(kidx)

    # The day's new articles into the full index, then the same file again (unchanged).
    res["increments"] = []
    for day in range(args.increments):
        daily = work / f"daily-{day + 1}.jsonl"
        if not daily.exists():
            gen = work / "daily-gen"
            run([sys.executable, str(bench / "make_corpus.py"), "--articles", "1000",
                 "--seed", str(1001 + day), "--format", "jsonl", "--out", str(gen), "--quiet"])
            with open(gen / "articles.jsonl", encoding="utf-8") as src, \
                    open(daily, "w", encoding="utf-8") as out:
                for line in src:
                    a = json.loads(line)
                    a["id"] = f"new{day + 1}-{a['id']}"
                    out.write(json.dumps(a, ensure_ascii=False) + "\n")
        ingest = [korpus, "--index", str(kidx), "ingest", "-q", "--threads", str(args.threads), str(daily)]
        added = timed(ingest)[:2]
        again = timed(ingest)[:2] if day == 0 else None
        res["increments"].append({"add": added, "unchanged": again})
    if args.increments > 1:
        res["after_increments"] = {
            "search_ms": cold_search(korpus, kidx, lines),
            "batch": batch(korpus, kidx, queries, args.threads, args.runs)[0],
            "segments": segments(kidx),
        }

    # The analyzer alone, one thread.
    p = subprocess.run([str(ROOT / "target/dist/examples/analyzer"), str(articles)],
                       check=True, capture_output=True, text=True)
    res["analyzer_ns_per_word"] = [float(x) for x in re.findall(r"([\d.]+) ns/word", p.stdout)]

    out = work / f"results-{n}.json"
    out.write_text(json.dumps(res, indent=2))
    b, k = res["baseline"], res["korpus"]
    print(f"\n### korpus benchmark: {n:,} articles ({corpus_mb:.0f} MB JSONL), {args.threads} threads\n")
    print("| | korpus | bare tantivy | korpus / baseline |")
    print("|---|---:|---:|---:|")
    print(f"| ingest wall (median of {args.runs}) | {k['wall_s']:.2f} s | {b['wall_s']:.2f} s | {k['wall_s'] / b['wall_s']:.2f} |")
    each = ", ".join(f"{x / y:.2f}" for x, y in zip(k["runs_s"], b["runs_s"]))
    print(f"| ingest ratio of each run | | | {each} |")
    print(f"| passages | {k['passages']:,} | {b['passages']:,} | |")
    print(f"| articles/s | {n / k['wall_s']:,.0f} | {n / b['wall_s']:,.0f} | |")
    print(f"| passages/s | {k['passages'] / k['wall_s']:,.0f} | {b['passages'] / b['wall_s']:,.0f} | |")
    print(f"| MB/s | {corpus_mb / k['wall_s']:.1f} | {corpus_mb / b['wall_s']:.1f} | |")
    print(f"| peak RSS | {k['rss_mb']:.0f} MB | {b['rss_mb']:.0f} MB | {k['rss_mb'] / b['rss_mb']:.2f} |")
    print(f"| index size | {k['size_mb']:.0f} MB | {b['size_mb']:.0f} MB | {k['size_mb'] / b['size_mb']:.2f} |")
    r = res["reingest"]
    print(f"| re-ingest (unchanged) | {r['wall_s']:.2f} s ({100 * r['wall_s'] / k['wall_s']:.0f} % of ingest) | | |")
    if "txt" in res:
        print(f"| ingest of .txt files | {res['txt']['wall_s']:.2f} s, {res['txt']['rss_mb']:.0f} MB | | |")
    for mb, h in res.get("huge", {}).items():
        print(f"| one {mb} MB single-line .txt | {h['wall_s']:.2f} s, peak RSS {h['rss_mb']:.0f} MB | | |")
    s = res["search_ms"]
    print(f"| cold search (20 queries) | p50 {s['p50']:.1f} ms, p90 {s['p90']:.1f} ms | | |")
    for kq, qps in res["batch"].items():
        each = ", ".join(f"{x:,.0f}" for x in res["batch_runs"][kq])
        print(f"| batch {kq:,} queries (median of {args.runs}) | {qps:,.0f} queries/s (runs: {each}) | | |")
    print(f"| segments | {res['segments']} | | |")
    first = res["increments"][0] if res["increments"] else None
    if first:
        (aw, ar), (uw, ur) = first["add"], first["unchanged"]
        print(f"| add 1,000 new articles | {aw:.2f} s, peak RSS {ar / 1e6:.0f} MB | | |")
        print(f"| add the same 1,000 again (unchanged) | {uw:.2f} s, peak RSS {ur / 1e6:.0f} MB | | |")
    after = res.get("after_increments")
    if after:
        adds = [w for (w, _) in (d["add"] for d in res["increments"])]
        print(f"| {len(adds)} daily adds of 1,000 | median {statistics.median(adds):.2f} s, max {max(adds):.2f} s | | |")
        s = after["search_ms"]
        print(f"| … then cold search | p50 {s['p50']:.1f} ms, p90 {s['p90']:.1f} ms | | |")
        for kq, qps in after["batch"].items():
            print(f"| … then batch {kq:,} queries | {qps:,.0f} queries/s | | |")
        print(f"| … then segments | {after['segments']} | | |")
    cold, warm = res["analyzer_ns_per_word"]
    print(f"| German analyzer alone (1 thread) | {cold:.0f} ns/word cold, {warm:.0f} ns/word warm | | |")
    small = work / "results-10000.json"
    if n != 10_000 and small.exists():
        s10 = json.loads(small.read_text())
        kx = k["wall_s"] / s10["korpus"]["wall_s"]
        bx = b["wall_s"] / s10["baseline"]["wall_s"]
        print(f"| ingest time vs 10k ({n // 10_000}× the articles) | {kx:.1f}× | {bx:.1f}× | |")
    print(f"\n(results in {out})")


if __name__ == "__main__":
    main()
