"""Benchmarks on synthetic districts (`make bench`): statements, server time and served requests
per second for every page and role, at two sizes of district; see the README's "Benchmark"."""
