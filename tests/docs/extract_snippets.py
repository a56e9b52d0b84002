#!/usr/bin/env python3
"""Writes the ```cpp snippets of a Markdown page as one C++ program, so a
test compiles and runs every snippet of the README and docs/:
    extract_snippets.py <page.md> <out.cpp>
A snippet with its own `int main` must be the page's only snippet and is
written as it is; any other snippet becomes the body of a function run in
page order, after `dist::environment env(argc, argv); dist::communicator
world;`. A snippet fenced as ```cpp ignore is not compiled."""
import re
import sys

page, out = sys.argv[1], sys.argv[2]
text = open(page, encoding="utf-8").read()
snippets = re.findall(r"^```cpp\n(.*?)^```", text, re.S | re.M)
if not snippets:
    sys.exit(f"{page}: no ```cpp snippet")
whole = [s for s in snippets if re.search(r"\bint\s+main\s*\(", s)]
if whole:
    if len(snippets) != 1:
        sys.exit(f"{page}: a snippet with main() must be the page's only one")
    program = f'#line 1 "{page}"\n' + snippets[0]
else:
    parts = ["#include <dist/dist.hpp>", "#include <cstdio>", "#include <vector>", ""]
    for k, s in enumerate(snippets):
        line = text[: text.index(s)].count("\n") + 1
        parts += [f"static void snippet_{k}(const dist::communicator& world) {{", "  (void)world;",
                  f'#line {line} "{page}"', s, "}", ""]
    parts += ["int main(int argc, char** argv) {", "  dist::environment env(argc, argv);",
              "  dist::communicator world;"]
    parts += [f"  snippet_{k}(world);" for k in range(len(snippets))]
    parts += ["  return 0;", "}", ""]
    program = "\n".join(parts)
with open(out, "w", encoding="utf-8") as f:
    f.write(program)
