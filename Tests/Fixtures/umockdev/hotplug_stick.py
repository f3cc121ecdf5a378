#!/usr/bin/python3
"""Runs a command (the agent) under a umockdev testbed holding an onboard NIC, a SATA disk and
an empty USB card reader, and a USB stick whose partition's device node is a real loop device.

  hotplug_stick.py --devname /dev/loopN --number MAJ:MIN --when before|after [--fs-type T] -- CMD…

--when before: the stick is in the testbed before CMD starts (enumeration).
--when after:  the stick is added once CMD says on stderr that it is waiting
               ("USB filesystems present: none", the agent's --verbose line). Adding a device
               to the testbed also sends its udev "add" event to every monitor. Must run
               under umockdev-wrapper.
--fs-type:     the stick partition's ID_FS_TYPE in the udev database (default ext4, what the
               test images carry; another value shows that the agent believes udev).
CMD's stdout and stderr are passed through; the exit status is CMD's.
"""
import argparse
import subprocess
import sys

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev

WAITING = "USB filesystems present: none"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devname", required=True)
    parser.add_argument("--number", required=True)
    parser.add_argument("--when", choices=["before", "after"], required=True)
    parser.add_argument("--fs-type", default="ext4")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command

    testbed = UMockdev.Testbed.new()
    onboard = testbed.add_device("pci", "0000:00:1f.6", None, [], [])
    testbed.add_device("net", "eno1", onboard,
                       ["address", "00:e0:c5:1c:50:87", "addr_assign_type", "0", "type", "1"],
                       ["INTERFACE", "eno1"])
    sata = testbed.add_device("pci", "0000:00:17.0", None, [], [])
    testbed.add_device("block", "sda", sata, ["size", "1000000", "dev", "8:0"],
                       ["DEVTYPE", "disk", "DEVNAME", "/dev/sda", "ID_FS_TYPE", "ext4"])
    controller = testbed.add_device("pci", "0000:00:14.0", None, [], [])
    reader = testbed.add_device("usb", "1-3", controller, ["serial", "READER"], ["DEVTYPE", "usb_device"])
    testbed.add_device("block", "sdc", reader, ["size", "0", "dev", "8:32"], ["DEVTYPE", "disk", "DEVNAME", "/dev/sdc"])

    def insert_stick():
        usb = testbed.add_device("usb", "1-2", controller, ["serial", "STICK"], ["DEVTYPE", "usb_device"])
        disk = testbed.add_device("block", "sdb", usb, ["size", "16384", "dev", "8:16"],
                                  ["DEVTYPE", "disk", "DEVNAME", "/dev/sdb", "ID_PART_TABLE_TYPE", "dos"])
        major, minor = options.number.split(":")
        testbed.add_device("block", "sdb1", disk, ["size", "16000", "partition", "1", "dev", options.number],
                                       ["DEVTYPE", "partition", "DEVNAME", options.devname, "ID_FS_TYPE", options.fs_type,
                                        "MAJOR", major, "MINOR", minor])

    if options.when == "before":
        insert_stick()
        completed = subprocess.run(command)
        return completed.returncode

    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    inserted = False
    for line in process.stderr:
        sys.stderr.write(line)
        if not inserted and WAITING in line:
            insert_stick()
            inserted = True
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
