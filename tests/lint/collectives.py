#!/usr/bin/env python3
"""Every public collective of dist agrees before it acts, visibly.

A function (or constructor) whose doc comment says it is "Collective" must,
in its body (a member declared in its class is looked up where it is
defined: below the class or in another header), either begin the agreement
itself (detail::agree,
agree_and_reduce, agree_on_errors, collective_entry, validated_entry, begin_save) or say
which collective it hands over to, in a comment of the form
`// collective: <the callee that agrees>`. So a collective that skips the
agreement is a failing test, not a review finding. Prints each offender.
usage: collectives.py <include dir>
"""
import re
import sys
from pathlib import Path

ENTRY = re.compile(r"\b(agree|agree_and_reduce|agree_on_errors|collective_entry|validated_entry|begin_save)\s*\(|//\s*collective:")
DOC = re.compile(r"^\s*///")
SAYS_COLLECTIVE = re.compile(r"\bCollective\b")


def body_of(lines, start):
    """The text of the declaration starting at line `start` up to the end of
    its body ('' when it has none: a declaration or a variable). Braces
    inside parentheses (default arguments) do not open the body."""
    text = ""
    depth = parens = 0
    opened = False
    for line in lines[start:]:
        code = re.sub(r"//.*", "", line)
        text += line
        for ch in code:
            if ch == "(":
                parens += 1
            elif ch == ")":
                parens -= 1
            elif ch == "{" and parens == 0:
                depth += 1
                opened = True
            elif ch == "}" and parens == 0:
                depth -= 1
            elif ch == ";" and parens == 0 and not opened:
                return ""
        if opened and depth <= 0:
            return text
    return text


def params_of(text):
    """The parameter list of the first declarator in `text`, defaults and
    spacing removed: 'const a& x,int n' for '(const a& x, int n = 0)'."""
    start = text.index("(")
    depth, out, skipping = 0, "", False
    for ch in text[start:]:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and ch == "=":
            skipping = True
        elif depth == 1 and ch == ",":
            skipping = False
        if not skipping:
            out += ch
    return re.sub(r"\s+", " ", out[1:]).replace(" ,", ",").strip()


DEFINITION = re.compile(r"^(?!\s)[^;()]*?\b\w+<[^()]*>::(~?\w+)\(")
# a non-template function declared in X.hpp and defined in X-inl.hpp
INL_DEFINITION = re.compile(r"^(?:\[\[noreturn\]\] )?DIST_INLINE [^;()]*?\b(\w+)\(")


def out_of_class_definitions(root):
    """Functions defined away from their declaration, in every header:
    members below their class ('X<N>::f(...) {') and the definitions of
    -inl.hpp files: name -> [(parameters, body)]."""
    found = {}
    for header in sorted(root.rglob("*.hpp")):
        lines = header.read_text().splitlines(keepends=True)
        pattern = INL_DEFINITION if header.name.endswith("-inl.hpp") else DEFINITION
        for k, line in enumerate(lines):
            m = pattern.match(line)
            if m:
                body = body_of(lines, k)
                if body:
                    found.setdefault(m.group(1), []).append((params_of(body), body))
    return found


def in_detail(lines):
    """For each line: True inside a detail namespace."""
    out, inside = [], False
    for line in lines:
        if re.match(r"^namespace (dist::)?detail \{", line):
            inside = True
        out.append(inside)
        if re.match(r"^\}\s*// namespace (dist::)?detail", line):
            inside = False
    return out


def main():
    root = Path(sys.argv[1])
    bad = []
    checked = 0
    defined_below = out_of_class_definitions(root)
    for header in sorted(root.rglob("*.hpp")):
        lines = header.read_text().splitlines(keepends=True)
        detail = in_detail(lines)
        i = 0
        while i < len(lines):
            if not DOC.match(lines[i]):
                i += 1
                continue
            j = i
            doc = ""
            while j < len(lines) and DOC.match(lines[j]):
                doc += lines[j]
                j += 1
            i = j
            if not SAYS_COLLECTIVE.search(doc) or j >= len(lines) or detail[j]:
                continue  # the library's own layers are reached through the public functions
            body = body_of(lines, j)
            if not body and "(" in lines[j]:  # a member defined below its class, or a function in X-inl.hpp
                name = re.search(r"(~?\w+)\(", lines[j]).group(1)
                decl = "".join(lines[j:j + 4])
                for params, definition in defined_below.get(name, []):
                    if params == params_of(decl):
                        body = definition
            if not body or "inline constexpr" in lines[j] or re.match(r"\s*(template <[^>]*>\s*)?(class|struct) ", lines[j]):
                continue
            checked += 1
            if not ENTRY.search(body):
                bad.append(f"{header.relative_to(root)}:{j + 1}: {lines[j].strip()}")
    for b in bad:
        print("collective without an agreement:", b)
    print(f"{checked} collectives checked, {len(bad)} without an agreement")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
