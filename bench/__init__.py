"""Benchmarks and the data they run on (see the Makefile `bench` target)."""
