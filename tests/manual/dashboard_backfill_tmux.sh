#!/usr/bin/env bash
# Drive a dashboard backfill of blocks 1-2000 in tmux, as a person would (issue 20): start the
# dashboard on the devnet, open the Backfill pane (5), focus the form (b), set the start block to 1,
# press Enter, then read the screen until the run says done or failed. Prints the pane's backfill
# lines; exits 0 only when the run finished done.
#
#   bash tests/manual/dashboard_backfill_tmux.sh            # a fresh database in a temp folder
#   TIMEOUT=300 bash tests/manual/dashboard_backfill_tmux.sh
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-240}
tmp=$(mktemp -d)
session="sentinel-bf-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$session"; }

wait_for() { # wait_for REGEX SECONDS WHAT
    local deadline=$((SECONDS + $2))
    until screen | grep -Eq "$1"; do
        if ((SECONDS > deadline)); then
            echo "timed out waiting for $3; the screen:" >&2
            screen >&2
            exit 1
        fi
        sleep 0.5
    done
}

tmux new-session -d -s "$session" -x 120 -y 40 \
    "uv run sentinel-tui --network devnet --db $tmp/sentinel.db; sleep 600"
wait_for 'connected' 120 "the dashboard to connect"
tmux send-keys -t "$session" 5
wait_for 'Start block' 10 "the Backfill pane"
tmux send-keys -t "$session" b
sleep 1
# The start field is focused; clear what is in it and type 1.
tmux send-keys -t "$session" C-a C-k
tmux send-keys -t "$session" 1
sleep 0.3
tmux send-keys -t "$session" Enter
wait_for '(✓ done|✖ failed)' "$TIMEOUT" "the backfill to finish"
sleep 0.5
result=$(screen)
echo "$result" | grep -E '(done|failed|in flight|blocks  ·|#1 – )' || true
if echo "$result" | grep -q '✓ done'; then
    echo "result: done"
    exit 0
fi
echo "result: failed"
exit 1
