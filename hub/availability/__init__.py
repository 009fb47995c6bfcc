"""The pure slot engine: weekly rules + exceptions + busy time → free slots.

Standard library only; ``now`` is an argument. See ``types`` for the inputs and outputs and
``engine.find_slots`` for the algorithm.
"""
