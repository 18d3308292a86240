"""One pandas.read_csv of a file, timed inside the process (run by bench/textParse.mjs):
    /usr/bin/python3 bench/parse/pandas_read.py FILE
Prints one JSON line: {"mode", "seconds", "cpuSeconds", "rows", "columns"}."""
import json
import sys
import time

import pandas as pd


def main() -> None:
    path = sys.argv[1]
    started = time.perf_counter()
    cpu_started = time.process_time()
    frame = pd.read_csv(path)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    rows, columns = frame.shape
    print(json.dumps({"mode": "pandas", "seconds": seconds, "cpuSeconds": cpu_seconds, "rows": rows, "columns": columns, "pandas": pd.__version__}))


if __name__ == "__main__":
    main()
