"""Real processes, as a member or an operator runs them: the wheel installed in a fresh venv, the
command lines, the server as its own process, the kiosk over a private sshd in tmux, schemathesis'
CLI. Slow (minutes) and run one at a time (``make test`` gives this folder no ``-n``): each
test starts its own processes, and the tmux and sshd ones want a quiet machine for their
timeouts. The fixtures they share are in tests/conftest.py."""
