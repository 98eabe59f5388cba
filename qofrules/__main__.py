"""``python -m qofrules``: the same command as ``qofrules``, for where the script is not on PATH."""
from .entry import main

if __name__ == "__main__":
    main()
