#!/usr/bin/env python3
"""The state diagrams of docs/loops.md, generated from the shipped workflows.

    python3 scripts/loops_diagrams.py CLOSELOOP            # rewrite docs/loops.md's diagrams
    python3 scripts/loops_diagrams.py CLOSELOOP --check    # exit 1 when one is stale

Each ```mermaid block of docs/loops.md names its workflow on its second line
(`%% NAME vN (loop)`); the block is replaced by `closeloop explain --format mermaid
workflows/NAME.wf`. The docs test runs --check, so a diagram cannot drift from its workflow.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "loops.md"
BLOCK = re.compile(r"```mermaid\n(.*?)```\n", re.S)


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary, check = sys.argv[1], "--check" in sys.argv[2:]
    text = DOC.read_text(encoding="utf-8")
    stale = []

    def regenerate(m: re.Match) -> str:
        lines = m.group(1).splitlines()
        name = re.match(r"\s*%% (\w+) v\d+", lines[1] if len(lines) > 1 else "")
        if not name:
            sys.exit(f"loops_diagrams: a mermaid block without '%% NAME vN' on its second line")
        wf = ROOT / "workflows" / (name.group(1) + ".wf")
        out = subprocess.run([binary, "explain", "--format", "mermaid", str(wf)],
                             capture_output=True, text=True, check=True).stdout
        if out != m.group(1):
            stale.append(name.group(1))
        return "```mermaid\n" + out + "```\n"

    new = BLOCK.sub(regenerate, text)
    if check:
        for n in stale:
            print(f"loops_diagrams: docs/loops.md: the diagram of {n} is stale; run "
                  f"python3 scripts/loops_diagrams.py {binary}")
        return 1 if stale else 0
    DOC.write_text(new, encoding="utf-8")
    print(f"loops_diagrams: {len(stale)} diagram(s) regenerated: {', '.join(stale) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
