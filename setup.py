"""Build hook. With HARVESTER_COMPILE=1 the modules that read and count every mail are compiled
with mypyc (the mypy project's compiler for type-annotated Python): the same source, about a
fifth less CPU on an archive (benchmarks/README.md). Without it the package is plain Python, as
a development checkout should be: a compiled module beside its source would hide every edit.

    HARVESTER_COMPILE=1 pip install .                    # an install, compiled
    HARVESTER_COMPILE=1 python setup.py build_ext --inplace  # a checkout, compiled in place

Everything else is in pyproject.toml.
"""

from __future__ import annotations

import os

from setuptools import setup

# What an archive's harvest runs for every mail: splitting, parsing and reading it, and the
# tally. Compiling all of core and sources' mail modules saved 4 % more instructions than the
# eight hottest; these nineteen are most of that. Two things differ when compiled, and these
# modules avoid both:
# - a float-annotated value is a C double, so an int passed in comes back a float (3 -> 3.0) and
#   the JSON changes: none of these takes a float (the rules, rules.py, stay Python);
# - x.lower() on a str is mypyc's own routine, which misses Python's final sigma before 3.13
#   ("ΟΔΟΣ" -> "οδοσ", not "οδος"): they write str.lower(x) (tests/test_compiled.py checks).
COMPILED = [
    "harvester/core/announcement.py",
    "harvester/core/ballot_patterns.py",
    "harvester/core/ballots.py",
    "harvester/core/clean.py",
    "harvester/core/html.py",
    "harvester/core/identity.py",
    "harvester/core/posts.py",
    "harvester/core/quote_patterns.py",
    "harvester/core/quotes.py",
    "harvester/core/reading.py",
    "harvester/core/tally.py",
    "harvester/core/text.py",
    "harvester/core/threads.py",
    "harvester/core/unread.py",
    "harvester/core/window.py",
    "harvester/sources/flowed.py",
    "harvester/sources/mailparse.py",
    "harvester/sources/mbox.py",
    "harvester/sources/mimeparams.py",
]


if os.environ.get("HARVESTER_COMPILE") != "1":
    setup()
else:
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip's first pass asks what the build needs: mypy, then runs this again
        setup(setup_requires=["mypy>=1.10"])
    else:
        setup(ext_modules=mypycify(COMPILED, opt_level="3"))
