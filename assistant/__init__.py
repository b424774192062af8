"""An on-device personal assistant that answers from your own notes, calendars and messages."""

__version__ = "0.1.0"
