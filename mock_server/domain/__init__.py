"""The bank's rules as plain Python: no FastAPI, no database driver (see GUIDE.md, "The layers")."""
