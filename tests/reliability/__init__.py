"""Helpers of the standing reliability suite (``tests/test_reliability_*.py``).

See ``docs/threat-model.md``: which attacker each test stands for, and how to
run the fast subset (every run) and the full set (``pytest --full``).
"""
