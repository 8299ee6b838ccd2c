#!/usr/bin/env python3
"""Lines of code of the crates a deployed function links (`make size`).

A crate counts when a function depends on it through path dependencies (normal ones, not
dev- or build-dependencies), read from `cargo metadata`. A line counts when it is in a `.rs`
file under the crate's `src/`, is not blank, is not a comment (`//`, `///`, `//!`, or inside
`/* */`), and is not inside an inline test module (`#[cfg(test)]` followed by `mod ... {`).
"""

import json
import pathlib
import re
import subprocess
import sys

FUNCTIONS = ["get-me", "get-users-me"]


def linked_crates():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["name"]: p for p in metadata["packages"]}
    seen, pending = [], list(FUNCTIONS)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        for dep in packages[name]["dependencies"]:
            if dep.get("path") and dep["kind"] is None and dep["name"] in packages:
                pending.append(dep["name"])
    return [(name, pathlib.Path(packages[name]["manifest_path"]).parent) for name in sorted(seen)]


def code_lines(text):
    lines = text.splitlines()
    count, i, in_block = 0, 0, False
    while i < len(lines):
        line = lines[i].strip()
        if line == "#[cfg(test)]" and i + 1 < len(lines) and re.match(r"(pub(\(crate\))? )?mod \w+ \{$", lines[i + 1].strip()):
            depth = 0
            i += 1
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
                if depth <= 0:
                    break
            continue
        i += 1
        if in_block:
            if "*/" in line:
                in_block = False
            continue
        if not line or line.startswith("//"):
            continue
        if line.startswith("/*"):
            in_block = "*/" not in line
            continue
        count += 1
    return count


def main():
    total = 0
    for name, root in linked_crates():
        lines = sum(code_lines(path.read_text()) for path in sorted((root / "src").rglob("*.rs")))
        total += lines
        print(f"{name:16} {lines:6}")
    print(f"{'total':16} {total:6} lines of code in the crates a deployed function links")
    return 0


if __name__ == "__main__":
    sys.exit(main())
