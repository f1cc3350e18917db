"""One module per flow of the manual."""
