#!/usr/bin/env python3
"""Builds data/lexicon-de.txt, the German word list behind compound splitting.

Reproducible from a package on PyPI: wordfreq 3.1.1 (code Apache-2.0; its word frequency
data is CC BY-SA 4.0, see data/README.md). Run:

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/build-lexicon.py > data/lexicon-de.txt

Output: a header, then words grouped by Zipf frequency in tenths (`@35` = Zipf 3.5), one
lowercase word per line, sorted. Kept: words of 3 to 30 letters (a-z, ä, ö, ü, ß) with Zipf
frequency >= 2.0 (about once in 100 million words) in wordfreq's "large" German list.
"""
import importlib.metadata
import math
import re
import sys

import wordfreq

MIN_ZIPF = 2.0
WORD = re.compile(r"^[a-zäöüß]{3,30}$")


def main():
    version = importlib.metadata.version("wordfreq")
    if version != "3.1.1":
        sys.exit(f"wordfreq 3.1.1 required, found {version}")
    buckets = {}
    for word, freq in wordfreq.get_frequency_dict("de", "large").items():
        if not WORD.match(word):
            continue
        zipf = math.log10(freq * 1e9)
        if zipf < MIN_ZIPF:
            continue
        buckets.setdefault(int(round(zipf * 10)), set()).add(word)
    out = sys.stdout
    out.write("# korpus German lexicon: wordfreq 3.1.1 'large' German list, CC BY-SA 4.0\n")
    out.write("# made by scripts/build-lexicon.py; @N = Zipf frequency N/10\n")
    for z in sorted(buckets, reverse=True):
        out.write(f"@{z}\n")
        for w in sorted(buckets[z]):
            out.write(w + "\n")


if __name__ == "__main__":
    main()
