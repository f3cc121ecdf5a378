#!/usr/bin/python3
"""Boot as the check sees it: udev is still working through its queue when the check starts,
and the onboard NIC appears only then.

  late_nic.py --after SECONDS -- CMD…

Creates /run/udev/queue (udevd's "events pending" marker, which libudev's udev_queue reads),
starts CMD under a umockdev testbed that has no network interface yet, and after SECONDS adds
the onboard NIC (00:e0:c5:1c:50:87) and removes the queue file, as udevd does when it has
processed the last event. With --after 0 nothing is added and the queue file stays: udev
never settles. Must run under umockdev-wrapper, in a mount namespace whose /run is private
(the test mounts a tmpfs there). The exit status is CMD's.
"""
import argparse
import os
import subprocess
import sys
import time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev

QUEUE = "/run/udev/queue"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--after", type=float, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command

    testbed = UMockdev.Testbed.new()
    onboard = testbed.add_device("pci", "0000:00:1f.6", None, [], ["DRIVER", "e1000e"])
    os.makedirs(os.path.dirname(QUEUE), exist_ok=True)
    open(QUEUE, "w").close()

    process = subprocess.Popen(command)
    if options.after > 0:
        time.sleep(options.after)
        testbed.add_device("net", "eno1", onboard,
                           ["address", "00:e0:c5:1c:50:87", "addr_assign_type", "0", "type", "1"],
                           ["INTERFACE", "eno1"])
        os.unlink(QUEUE)
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
