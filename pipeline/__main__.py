import os
import sys

from pipeline.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # output piped into `head` and the like: the reader left, which is not an error
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
raise SystemExit(code)
