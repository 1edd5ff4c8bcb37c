"""Run every benchmark: ``python -m benchmarks [name ...]`` (default: all)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("read_api", "read_scale", "rerender", "uploads_api", "thumbnails", "load")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    failed = []
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"benchmarks.{name}":
                raise
            print(f"benchmark {name!r} does not exist yet", file=sys.stderr)
            failed.append(name)
            continue
        print(f"\n######## {name} ########", flush=True)
        if module.main() != 0:
            failed.append(name)
    print()
    print("budgets: all met" if not failed else f"budgets NOT met in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
