"""The sovereignty lens: jurisdiction, ownership, key custody and control, next to portability."""
