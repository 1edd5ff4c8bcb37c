"""Benchmarks: `make bench` (python -m benchmarks) runs them all and prints their figures.
Each module's ``main()`` returns non-zero when a budget named in an issue is not met."""
