"""sjvirtual-tui: a terminal client for San José S.J. Virtual."""

__version__ = "0.1.0"
