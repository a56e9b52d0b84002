#!/usr/bin/env python3
"""Non-template functions keep their bodies in X-inl.hpp, not in X.hpp.

With DIST_SEPARATE_COMPILATION a header only declares its non-template
functions and <dist/separate.hpp> compiles their definitions once (see
include/dist/core/linkage.hpp), so user translation units parse and
compile less. A function of MIN_LINES or more lines defined `inline` at
namespace scope of a header (not a template, not constexpr, not of an
optional extra's header) belongs in the header's -inl.hpp file, declared
DIST_INLINE; per-element helpers listed in HOT stay inline on purpose.
separate.hpp includes every -inl.hpp file.
Prints each offender. usage: inline_bodies.py <include/dist>
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from collectives import body_of  # noqa: E402  (the declaration's text up to the end of its body)

MIN_LINES = 4
HOT = {"philox", "bits", "stretch_at"}  # per element: inlinable in separate builds too
OPTIONAL = {"io/hdf5.hpp", "interop/petsc.hpp", "interop/scalapack.hpp"}  # compiled only where the extra is
START = re.compile(r"^(\[\[noreturn\]\] )?inline (?!constexpr|thread_local|namespace)[^=;]*?\b(\w+)\(")


def main():
    root = Path(sys.argv[1])
    bad = []
    for header in sorted(root.rglob("*.hpp")):
        rel = str(header.relative_to(root))
        if header.name.endswith("-inl.hpp") or rel in OPTIONAL:
            continue
        lines = header.read_text().splitlines(keepends=True)
        for k, line in enumerate(lines):
            m = START.match(line)
            prev = next((p for p in reversed(lines[:k]) if p.strip()), "")
            if not m or m.group(2) in HOT or prev.startswith("template") or "auto" in line.split("(")[0]:
                continue
            if body_of(lines, k).count("\n") >= MIN_LINES:
                bad.append(f"{rel}:{k + 1}: {line.strip()}")
    listed = set(re.findall(r'^#include "(.*-inl\.hpp)"', (root / "separate.hpp").read_text(), re.M))
    for inl in sorted(root.rglob("*-inl.hpp")):
        if str(inl.relative_to(root)) not in listed:  # (separate.hpp defines them after a precompiled dist.hpp)
            bad.append(f"separate.hpp does not include {inl.relative_to(root)}")
    for b in bad:
        print("non-template body in a header (move it to the -inl.hpp file, DIST_INLINE):", b)
    print(f"{len(bad)} non-template bodies outside -inl files")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
