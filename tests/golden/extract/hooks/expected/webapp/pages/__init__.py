"""The pages domain."""
