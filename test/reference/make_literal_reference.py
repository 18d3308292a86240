#!/usr/bin/env python3
"""String literals of the code-lens fixtures (test/fixtures/code-lens/), found by each language's own tokenizer:
Python's tokenize (with ast.literal_eval for the value) and R's parser (getParseData, STR_CONST tokens, eval'd).
Writes test/reference/literal_reference.json: per file, every string literal with its character offsets [start, end)
in the file, its value, and what the scanner's policy needs (prefix, triple-quoted).

Usage: /usr/bin/python3 test/reference/make_literal_reference.py   (needs Rscript, R >= 4.0 for raw strings)
"""
import ast
import io
import json
import os
import subprocess
import tokenize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "code-lens")


def line_starts(text):
    starts = [0]
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)
    return starts


def python_literals(text):
    starts = line_starts(text)
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.STRING:
            continue  # f-strings are FSTRING_START/MIDDLE/END tokens from Python 3.12
        start = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        body = tok.string.lstrip("rRbBuUfF")
        prefix = tok.string[: len(tok.string) - len(body)].lower()
        # An f-string's value is not known from the text (Python 3.11 tokenizes it as one STRING).
        value = None if "f" in prefix else ast.literal_eval(tok.string)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out.append({"start": start, "end": end, "value": value, "prefix": prefix, "triple": body[:3] in ('"""', "'''")})
    return out


R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
text <- paste(readLines(args[1], warn = FALSE), collapse = "\n")
pd <- getParseData(parse(text = text, keep.source = TRUE))
s <- pd[pd$token == "STR_CONST", c("line1", "col1", "line2", "col2", "text")]
for (i in seq_len(nrow(s))) {
  value <- eval(parse(text = s$text[i]))
  cat(paste0(s$line1[i], "\t", s$col1[i], "\t", s$line2[i], "\t", s$col2[i], "\t", nchar(s$text[i]), "\t",
      gsub("\t", "\\\\t", gsub("\n", "\\\\n", value)), "\n"))
}
"""


def r_literals(path, text):
    starts = line_starts(text)
    run = subprocess.run(["Rscript", "-e", R_SCRIPT, path], capture_output=True, text=True, check=True)
    out = []
    for line in run.stdout.splitlines():
        line1, col1, line2, col2, length, value = line.split("\t", 5)
        start = starts[int(line1) - 1] + int(col1) - 1
        end = starts[int(line2) - 1] + int(col2)
        raw = text[start:end]
        out.append({"start": start, "end": end, "value": value, "prefix": "r" if raw[0] in "rR" else "", "triple": False})
    return out


def main():
    reference = {}
    for name in sorted(os.listdir(FIXTURES)):
        path = os.path.join(FIXTURES, name)
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        if name.endswith(".py"):
            reference[name] = python_literals(text)
        elif name.endswith(".R"):
            reference[name] = r_literals(path, text)
    target = os.path.join(ROOT, "test", "reference", "literal_reference.json")
    with open(target, "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(target, ROOT)}: " + ", ".join(f"{k} {len(v)} literals" for k, v in reference.items()))


if __name__ == "__main__":
    main()
