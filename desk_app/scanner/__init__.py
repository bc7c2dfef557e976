"""Reading codes, without Qt: the decoding pipeline, frame sources, the live loop and its two-frame validator."""
