#!/usr/bin/env bash
# Print the lines of a guest console log that show a kernel problem:
# warnings, BUGs, oopses, call traces, KASAN, lockdep, kmemleak, UBSAN,
# hung tasks and RCU stalls; and what lost interrupts look like: a vector
# without a handler, a move off an outgoing CPU which failed, dropped
# printk messages, and the edu sample's failed DMA. Exit 1 when there is
# any.
set -euo pipefail
pattern='WARNING:|BUG:|kernel BUG at|Oops|Call Trace:|KASAN:|UBSAN:|Kernel panic|lockdep is turned off|turning off the locking correctness validator|suspected memory leak|unreferenced object|INFO: task .* blocked|rcu.*detected stalls|general protection fault|No irq handler for|printk messages dropped|cannot move it off CPU|DMA timed out|storing the message failed'
if grep -E -n "$pattern" "$1"; then
	exit 1
fi
exit 0
