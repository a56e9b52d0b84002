#!/usr/bin/env python3
"""Checks the Spack recipe without Spack: it parses, defines class Dist on
CMakePackage, depends on mpi and on Boost with +mpi, has the variants the
CMake project's extras need, and lists the CMake project's version.
    spack_recipe.py <package.py> <CMakeLists.txt>"""
import ast
import re
import sys

recipe, cmakelists = sys.argv[1], sys.argv[2]
tree = ast.parse(open(recipe, encoding="utf-8").read(), recipe)
cls = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Dist"]
errors = []
if not cls:
    sys.exit(f"{recipe}: no class Dist")
cls = cls[0]
if [b.id for b in cls.bases if isinstance(b, ast.Name)] != ["CMakePackage"]:
    errors.append("class Dist must derive from CMakePackage")
calls = {}
for stmt in cls.body:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
        args = [a.value for a in stmt.value.args if isinstance(a, ast.Constant)]
        calls.setdefault(stmt.value.func.id, []).append(args)
versions = [a[0] for a in calls.get("version", []) if a]
deps = [a[0] for a in calls.get("depends_on", []) if a]
variants = [a[0] for a in calls.get("variant", []) if a]
m = re.search(r"project\(\s*dist\s+VERSION\s+([0-9.]+)", open(cmakelists, encoding="utf-8").read())
if not m:
    errors.append(f"{cmakelists}: no project(dist VERSION ...)")
elif m.group(1) not in versions:
    errors.append(f"the recipe's versions {versions} lack the CMake project's {m.group(1)}")
if not any(d.split("@")[0] == "mpi" for d in deps):
    errors.append("no depends_on('mpi')")
if not any(d.startswith("boost") and "+mpi" in d for d in deps):
    errors.append("no depends_on('boost...+mpi')")
for v in ("hdf5", "blas", "scalapack", "petsc"):
    if v not in variants:
        errors.append(f"no variant '{v}'")
if not any(isinstance(n, ast.FunctionDef) and n.name == "cmake_args" for n in cls.body):
    errors.append("no cmake_args")
for e in errors:
    print(f"{recipe}: {e}")
sys.exit(1 if errors else 0)
