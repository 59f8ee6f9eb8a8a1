"""X12 syntax: segments, delimiters, a streaming reader and a writer. No I/O beyond the
stream handed in, no knowledge of any transaction set."""
