"""One module per programme: the figures its seed is judged by."""
