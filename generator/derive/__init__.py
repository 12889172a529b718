"""Derived facts: records + policy + date in, sorted values out, no I/O."""
