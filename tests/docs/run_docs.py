#!/usr/bin/env python3
"""The docs test: the README and docs/*.md cannot drift from the program.

    run_docs.py --source SRC --build BUILD [--only FILE.md]

1. Runnable blocks. Every fenced code block whose info string is `sh runnable` (or
   `sh runnable server`) is run by bash, block after block in document order, all blocks of
   one document in one shell (so a variable set in one block is seen in the next), with
   `set -euo pipefail`, in a scratch directory that looks like a checkout: every top-level
   entry of SRC is linked into it, `build` links to BUILD, `data` does not exist (a fresh
   data directory) and `closeloop` is on the PATH. Before a `server` block the test starts `closeloop serve --data data
   --clock manual` on a free port and waits for /readyz; before a block without `server` it
   stops it (the data directory has one writer at a time), and it stops it at the end.
   `127.0.0.1:8080` in a block is replaced by the server's address, and `curl` fails on an
   HTTP error status (--fail-with-body). A command that fails fails the test, naming the
   document and line.
2. Every other shell block. Each `closeloop VERB ...` (also `$B VERB`, `build/app/closeloop
   VERB`) in a shell or untagged block of these documents and of every module's README.md
   must name a verb that exists (`closeloop VERB --help`), and every `--option` on that
   line must be one the verb's --help lists; so must each `closeloop ...` in running text.

Exit 0 when all is well; otherwise every problem is printed and the exit is 1.
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)```(.*)$")


class Block:
    def __init__(self, doc, line, info, lines):
        self.doc, self.line, self.info, self.lines = doc, line, info.split(), lines

    @property
    def shell(self):
        return bool(self.info) and self.info[0] in ("sh", "bash", "shell")

    @property
    def may_hold_commands(self):
        return self.shell or not self.info  # an untagged block may show commands too

    @property
    def runnable(self):
        return self.shell and "runnable" in self.info[1:]

    @property
    def server(self):
        return self.runnable and "server" in self.info[1:]


INLINE = re.compile(r"`(closeloop [^`]+)`")


def inline_commands(path, name):
    """`closeloop ...` in running text, outside code blocks, as one-line blocks to check."""
    out, fenced = [], False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line.rstrip("\n")):
                fenced = not fenced
                continue
            if not fenced:
                out += [Block(name, n, "sh", [(n, m.group(1))]) for m in INLINE.finditer(line)]
    return out


def blocks(path, name):
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            m = FENCE.match(line)
            if cur is None:
                if m and "`" not in m.group(2):  # CommonMark: no backtick in the info string
                    cur = Block(name, n, m.group(2).strip(), [])
                continue
            if m and not m.group(2).strip():  # a closing fence has no info string
                out.append(cur)
                cur = None
            else:
                cur.lines.append((n, line))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PRELUDE = r"""
set -euo pipefail
__serve_pid=""
__serve_start() {
  [ -n "$__serve_pid" ] && return 0
  "$CLOSELOOP_BIN" serve --data data --http "127.0.0.1:$DOCS_PORT" --clock manual \
      >>serve.log 2>&1 &
  __serve_pid=$!
  for __i in $(seq 1 300); do
    if command curl -fs "http://127.0.0.1:$DOCS_PORT/readyz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$__serve_pid" 2>/dev/null; then
      echo "docs: closeloop serve exited at start:" >&2; cat serve.log >&2; return 1
    fi
    sleep 0.1
  done
  echo "docs: closeloop serve was not ready within 30 s" >&2; cat serve.log >&2; return 1
}
__serve_stop() {
  [ -z "$__serve_pid" ] && return 0
  kill -TERM "$__serve_pid" 2>/dev/null || true
  wait "$__serve_pid" 2>/dev/null || true
  __serve_pid=""
}
trap '__serve_stop' EXIT
# An HTTP error status fails the command (and so the block), and its body is shown.
curl() { command curl --fail-with-body "$@"; }
trap 'echo "__DOCS_FAILED_AT $LINENO" >&2' ERR
"""


def run_document(doc_blocks, work, env):
    """Runs one document's runnable blocks in one bash; returns a list of problems."""
    script = PRELUDE.splitlines()
    where = {}  # script line (1-based) -> "doc:line"
    for b in doc_blocks:
        script.append("__serve_start" if b.server else "__serve_stop")
        script.append(f"echo '--- {b.doc}:{b.line}'")
        for n, text in b.lines:
            script.append(text.replace("127.0.0.1:8080", "127.0.0.1:$DOCS_PORT"))
            where[len(script)] = f"{b.doc}:{n}"
    script.append("__serve_stop")
    path = os.path.join(work, "docs_script.sh")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run(["bash", path], cwd=work, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600)
    sys.stdout.write(p.stdout)
    if p.returncode == 0:
        return []
    at = re.findall(r"__DOCS_FAILED_AT (\d+)", p.stdout)
    place = where.get(int(at[0]), f"script line {at[0]}") if at else "its start"
    return [f"{doc_blocks[0].doc}: a runnable block failed at {place} (exit {p.returncode})"]


def verb_help(binary, words, cache):
    """--help of `closeloop WORDS...`, or None when that is not a command."""
    key = tuple(words)
    if key not in cache:
        p = subprocess.run([binary, *words, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        cache[key] = p.stdout if p.returncode == 0 else None
    return cache[key]


def subcommands(help_text):
    """The names CLI11 lists under SUBCOMMANDS in a --help."""
    part = re.split(r"^subcommands:", help_text, 1, flags=re.M | re.I)
    return set(re.findall(r"^\s+([a-z][a-z0-9-]*)\s", part[1], re.M)) if len(part) == 2 else set()


INVOCATION = re.compile(r"(?:^|[\s;&|(`])(?:closeloop|\$B|build/app/closeloop)\s+([a-z][a-z0-9-]*)(.*)")


def check_invocations(all_blocks, binary):
    problems, cache = [], {}
    for b in all_blocks:
        if not b.may_hold_commands:
            continue
        joined, first = "", None
        for n, text in b.lines + [(None, "")]:
            if first is None:
                first = n
            if text.endswith("\\"):
                joined += text[:-1] + " "
                continue
            joined += text
            line = joined.split(" #", 1)[0]
            for m in INVOCATION.finditer(line):
                words, rest = [m.group(1)], m.group(2)
                help_text = verb_help(binary, words, cache)
                if help_text is None or words[0] not in subcommands(verb_help(binary, [], cache) or ""):
                    problems.append(f"{b.doc}:{first}: `closeloop {words[0]}`: no such verb")
                    continue
                # A verb with verbs of its own (`clock advance`, `log verify`).
                nxt = re.match(r"\s+([a-z][a-z0-9-]*)(.*)", rest)
                while nxt and nxt.group(1) in subcommands(help_text):
                    words.append(nxt.group(1))
                    rest = nxt.group(2)
                    help_text = verb_help(binary, words, cache)
                    nxt = re.match(r"\s+([a-z][a-z0-9-]*)(.*)", rest)
                verb = " ".join(words)
                for opt in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", rest):
                    if not re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", help_text):
                        problems.append(f"{b.doc}:{first}: `closeloop {verb}` has no option {opt}")
            joined, first = "", None
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--only", help="one document (README.md, docs/api.md, ...)")
    a = ap.parse_args()
    src, build = os.path.abspath(a.source), os.path.abspath(a.build)
    binary = os.path.join(build, "app", "closeloop")
    if not os.access(binary, os.X_OK):
        print(f"docs: {binary} is not built (cmake --build {build} --target closeloop)", file=sys.stderr)
        return 1
    docs = ["README.md"] + sorted(os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "docs", "*.md")))
    if a.only:
        docs = [d for d in docs if d == a.only]
    parsed = {d: blocks(os.path.join(src, d), d) for d in docs}
    # The modules' READMEs are checked for verbs and options too (they run nothing).
    readmes = sorted(os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "**", "README.md"), recursive=True)
                     if not re.search(r"(^|/)(build|node_modules|\.git)/", os.path.relpath(p, src)))
    others = [b for d in readmes if d not in parsed for b in blocks(os.path.join(src, d), d)]
    others += [b for d in sorted(set(docs) | set(readmes))
               for b in inline_commands(os.path.join(src, d), d)]

    problems = check_invocations([b for bs in parsed.values() for b in bs] + others, binary)
    for doc, bs in parsed.items():
        runnable = [b for b in bs if b.runnable]
        if not runnable:
            continue
        work = tempfile.mkdtemp(prefix="closeloop-docs-")
        try:
            for entry in os.listdir(src):
                if entry in ("build", "data", ".git") or entry.startswith("."):
                    continue
                os.symlink(os.path.join(src, entry), os.path.join(work, entry))
            os.symlink(build, os.path.join(work, "build"))
            env = dict(os.environ, CLOSELOOP_BIN=binary, DOCS_PORT=str(free_port()),
                       PATH=os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", ""))
            env.pop("CLOSELOOP_TOKEN", None)
            problems += run_document(runnable, work, env)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print("docs:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
