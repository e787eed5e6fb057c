#!/bin/busybox sh
# A named process that stays in the task list of the dump.
while :; do sleep 1; done
