from portacheck.parse.kubernetes.objects import analyse_text, parse

__all__ = ["analyse_text", "parse"]
