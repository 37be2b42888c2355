"""The expected failures of portacheck; anything else that escapes is a bug."""


class PortacheckError(Exception):
    """A failure to report in one line and exit with code 2 (usage, configuration, rules)."""


class ConfigError(PortacheckError):
    """A configuration file or command-line value is wrong; the message names file and key."""


class RuleError(PortacheckError):
    """A rule file is wrong; the message names the file, the rule and the field."""


class BaselineError(PortacheckError):
    """A baseline file cannot be read or is of an unknown version."""


class InputError(Exception):
    """One input file cannot be analysed; parsers turn it into a ScanError and go on."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
