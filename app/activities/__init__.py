"""The shared core of every record family that happens at a time with people taking part."""
