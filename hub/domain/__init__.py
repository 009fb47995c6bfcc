"""The pure booking model: entities, value objects, the booking state machine and policies.

Standard library only. The current time is always an argument, never read here.
"""
