// Anchor for the shared precompiled header of the torch-based tests.
