#!/usr/bin/env bash
# Mutation testing of the scoring core with mutmut (see docs/mutation.md). Not part of ./dev test.
#
#   benchmarks/mutation.sh                 every mutant, from scratch (5,239 of them: several hours on 2 cores)
#   benchmarks/mutation.sh 'scoring.scores.ranking*' …   only these mutants, keeping earlier results
#   benchmarks/mutation.sh --summary       the score of the last run, without running anything
#
# What is mutated and which tests run are in [tool.mutmut] in pyproject.toml. Each mutant runs only
# the selected tests that reach the mutated function, stopping at the first failure, with a CPU
# limit of 10 × (their clean run time + 1 s); the work runs niced, on at most MUTATION_JOBS (2)
# processes. A mutant that hits the limit counts as detected. Mutants listed as equivalent in
# docs/mutation.md are left out of the score.
set -euo pipefail
cd "$(dirname "$0")/.."

MUTMUT_VERSION=3.8.1
JOBS="${MUTATION_JOBS:-2}"

./dev setup
if [ "$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("mutmut"))' 2>/dev/null)" \
        != "$MUTMUT_VERSION" ]; then
    echo "==> 安装 mutmut $MUTMUT_VERSION（仅用于变异测试，不属于 ./dev test）" >&2
    .venv/bin/python -m pip -q --disable-pip-version-check install "mutmut==$MUTMUT_VERSION" 2>&1 \
        | { grep -v -e "^WARNING: Location '" || true; }
fi

if [ "${1:-}" != "--summary" ]; then
    if [ $# -eq 0 ]; then
        rm -rf mutants  # a full run starts from scratch: no result is carried over from old code
    fi
    SCORING_CHEAP_TESTS_FIRST=1 nice -n 10 .venv/bin/mutmut run --max-children "$JOBS" "$@" > mutants.log 2>&1 || {
        tail -c 3000 mutants.log >&2; exit 1; }
fi

.venv/bin/mutmut results --all true 2>/dev/null | .venv/bin/python benchmarks/mutation_score.py docs/mutation.md
