"""Performance harness: a data generator (`python -m bench.generate`) and `make bench`
(`python -m bench.run`). See docs/performance.md. Not imported by the portal itself."""
