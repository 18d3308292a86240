#!/usr/bin/python3
"""Reference values for the Parquet fixture byte_stream_split.zstd.parquet (from the Apache parquet-testing
repository, see test/fixtures/data/parquet/README.md): its two columns are numpy's standard normal draws from seed 0,
f32 = randn(300) as float32, then f64 = randn(300). Writes test/reference/parquet_byte_stream_split.json.
Run with /usr/bin/python3."""
import json, os
import numpy as np

np.random.seed(0)
f32 = np.random.randn(300).astype(np.float32)
f64 = np.random.randn(300)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'parquet_byte_stream_split.json')
with open(out, 'w') as f:
    json.dump({'columns': ['f32', 'f64'], 'f32': [float(x) for x in f32], 'f64': [float(x) for x in f64]}, f)
