"""portacheck: what in your infrastructure-as-code carries over to another cloud."""

__version__ = "0.1.0"
