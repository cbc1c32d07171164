"""The shared kernel: code used by several domains."""
