"""Side-by-side measurements that print ratios (no timing asserts in tests)."""
