"""Mutation score of a package from a uniform random sample of its mutants (docs/mutation.md).

All of engine/ is about 6,300 mutants, hours on a shared 2-core machine; a uniform sample
of a few hundred estimates the score within a few points (the 95% interval printed is
Wilson's). The sample is fixed by its seed, so a rerun after new tests checks the same
mutants.

    python scripts/mutation_sample.py engine --size 600 --seed 20261203

Run from the project root (``./dev mutate --sample 600`` does). mutmut generates every
mutant the first time it runs: if ``mutants/`` holds none of the package yet, the script
first runs the package's smallest module, which generates them and collects the stats.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 37, 152, 255}  # killed, timeouts, caught by the type check
NO_TESTS = {5, 33}


def _codes(package: str) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in sorted(Path("mutants/src/teamquota", package).glob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def _mutmut(names: list[str], children: int) -> None:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    subprocess.run(["nice", "-n", "10", mutmut, "run", "--max-children", str(children),
                    *names], check=False)


def score(codes: dict[str, int | None], sample: list[str]) -> dict[str, object]:
    checked = [k for k in sample if codes.get(k) is not None]
    killed = [k for k in checked if codes[k] in KILLED]
    n, p, z = len(checked), len(killed) / max(len(checked), 1), 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n) if n else 0.0
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n) if n else 0.0
    return {"sampled": len(sample), "checked": n, "killed": len(killed),
            "survived": sorted(k for k in checked if codes[k] == 0),
            "no_tests": sorted(k for k in checked if codes[k] in NO_TESTS),
            "score": round(100 * p, 1),
            "interval": [round(100 * (centre - half), 1), round(100 * (centre + half), 1)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default="engine")
    parser.add_argument("--size", type=int, default=600)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--children", type=int, default=1)
    args = parser.parse_args()
    if not _codes(args.package):
        smallest = min((p for p in Path("src/teamquota", args.package).glob("*.py")
                        if p.name != "__init__.py"), key=lambda p: p.stat().st_size)
        _mutmut([f"teamquota.{args.package}.{smallest.stem}.*"], args.children)
    keys = sorted(_codes(args.package))
    sample = random.Random(args.seed).sample(keys, min(args.size, len(keys)))
    _mutmut(sample, args.children)
    found = score(_codes(args.package), sample)
    Path(f"mutants/sample-{args.package}.json").write_text(json.dumps(found, indent=2))
    print(f"{args.package}: {found['killed']} of {found['checked']} sampled mutants killed "
          f"(of {len(keys)}): {found['score']}%, 95% interval {found['interval'][0]}-"
          f"{found['interval'][1]}%; survivors in mutants/sample-{args.package}.json")


if __name__ == "__main__":
    main()
