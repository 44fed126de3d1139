"""Generator steps; every module here registers itself with `bench.registry.step`."""
