"""The live camera on screen: frames from the scanner's threads, outlines, settings."""
