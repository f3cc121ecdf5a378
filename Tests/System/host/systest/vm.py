"""One boot of the guest: a qemu process, its two serial ports, QMP, and kill -9.

The machine: q35, 2 vCPUs under TCG (`-accel tcg,thread=multi`; KVM only where a normal
kvm_intel/kvm_amd module is loaded, because this machine kind's /dev/kvm is a PVM
hypervisor that does not boot stock kernels), Debian's kernel booted directly as an ELF
(PVH) with the minimal initramfs, `-nodefaults` so that no device is there that the test
did not ask for. No host networking: the NIC is attached to a hub port that leads nowhere
(`-netdev hubport`), so qemu holds no socket and no traffic leaves the VM.

- ttyS0 → `<name>.console.log`: the kernel, systemd and the agent's journal;
- ttyS1 → `<name>.results.log`: the guest's "SYSTEST …" lines (Tests/System/guest/lib.sh);
- QMP on a unix socket: USB hot-plug (`blockdev-add` + `device_add usb-storage`).
"""

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

from .commands import SystemTestError

DEFAULT_MAC = "00:e0:c5:1c:50:87"


@dataclass
class Disk:
    path: str
    format: str = "raw"
    bus: str = "virtio"          # "virtio" or "usb" (usb-storage on the xHCI controller)
    serial: str = ""             # the USB serial number a usb-storage device reports
    cache: str = "writeback"


def accelerator() -> str:
    """TCG unless a normal KVM module is loaded ($SYSTEM_TEST_ACCEL overrides)."""
    if os.environ.get("SYSTEM_TEST_ACCEL"):
        return os.environ["SYSTEM_TEST_ACCEL"]
    normal_kvm = os.path.isdir("/sys/module/kvm_intel") or os.path.isdir("/sys/module/kvm_amd")
    if normal_kvm and os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "kvm"
    return "tcg,thread=multi"


class VirtualMachine:
    def __init__(self, image, directory: str, name: str, disks, kernel_arguments: str,
                 mac: str = DEFAULT_MAC, rtc_base: str = "utc", memory_mib: int = 768):
        self.image = image
        self.name = name
        self.disks = disks
        self.kernel_arguments = kernel_arguments
        self.mac = mac
        self.rtc_base = rtc_base
        self.memory_mib = memory_mib
        self.console_log = os.path.join(directory, f"{name}.console.log")
        self.results_log = os.path.join(directory, f"{name}.results.log")
        self.qmp_socket = os.path.join(directory, f"{name}.qmp")
        self.process = None
        self.started = None
        self._results_offset = 0
        self._partial = ""
        self.lines = []

    def command(self) -> list:
        arguments = [
            "qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-machine", "q35", "-accel", accelerator(), "-cpu", "max", "-smp", "2", "-m", str(self.memory_mib),
            "-kernel", self.image.kernel, "-initrd", self.image.initramfs,
            "-append", f"console=ttyS0 root=/dev/vda ro panic=-1 {self.kernel_arguments}",
            "-chardev", f"file,id=console,path={self.console_log}", "-serial", "chardev:console",
            "-chardev", f"file,id=results,path={self.results_log}", "-serial", "chardev:results",
            "-qmp", f"unix:{self.qmp_socket},server=on,wait=off",
            "-rtc", f"base={self.rtc_base}",
            "-netdev", "hubport,id=nic0,hubid=0", "-device", f"virtio-net-pci,netdev=nic0,mac={self.mac}",
            "-device", "virtio-rng-pci",
            "-device", "qemu-xhci,id=xhci",
        ]
        for index, disk in enumerate(self.disks):
            arguments += ["-drive", f"if=none,id=disk{index},file={disk.path},format={disk.format},cache={disk.cache}"]
            if disk.bus == "usb":
                serial = f",serial={disk.serial}" if disk.serial else ""
                arguments += ["-device", f"usb-storage,bus=xhci.0,drive=disk{index},removable=on{serial}"]
            else:
                arguments += ["-device", f"virtio-blk-pci,drive=disk{index}"]
        return arguments

    def start(self) -> None:
        for path in (self.console_log, self.results_log, self.qmp_socket):
            if os.path.exists(path):
                os.unlink(path)
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                        stdout=open(self.console_log + ".qemu", "w"), stderr=subprocess.STDOUT)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def read_lines(self) -> list:
        """The result lines the guest wrote since the last call ("SYSTEST " prefix removed)."""
        if not os.path.exists(self.results_log):
            return []
        with open(self.results_log, "rb") as handle:
            handle.seek(self._results_offset)
            data = handle.read()
        self._results_offset += len(data)
        text = self._partial + data.decode(errors="replace").replace("\r", "")
        *complete, self._partial = text.split("\n")
        new = [line[len("SYSTEST "):] for line in complete if line.startswith("SYSTEST ")]
        self.lines += new
        return new

    def wait_for_line(self, prefix: str, timeout: float):
        """The first new result line starting with prefix, or None when the VM exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.read_lines():
                if line.startswith(prefix):
                    return line
            if self.process.poll() is not None:
                return None
            time.sleep(0.1)
        return None

    def wait_for_exit(self, timeout: float) -> bool:
        """True when qemu ended by itself (the guest powered off or rebooted) within timeout."""
        try:
            self.process.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
        finally:
            self.read_lines()

    def kill(self) -> None:
        """kill -9 of qemu: the power cut. Whatever qemu had not written is gone."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.read_lines()

    # --- QMP ---------------------------------------------------------------------------------
    def qmp(self, execute: str, **arguments):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(self.qmp_socket)
            stream = connection.makefile("rw")
            json.loads(stream.readline())   # greeting
            for command in ({"execute": "qmp_capabilities"}, {"execute": execute, "arguments": arguments}):
                stream.write(json.dumps(command) + "\n")
                stream.flush()
                while True:
                    answer = json.loads(stream.readline())
                    if "return" in answer or "error" in answer:
                        break
            if "error" in answer:
                raise SystemTestError(f"QMP {execute} failed: {answer['error'].get('desc')}")
            return answer["return"]

    def hotplug_usb_stick(self, image_path: str, serial: str, identifier: str = "stick") -> None:
        """Plugs a raw image in as a USB stick while the guest runs."""
        self.qmp("blockdev-add", **{"node-name": identifier, "driver": "raw", "read-only": False,
                                    "file": {"driver": "file", "filename": os.path.abspath(image_path)}})
        self.qmp("device_add", driver="usb-storage", bus="xhci.0", drive=identifier,
                 id=f"{identifier}-device", serial=serial, removable=True)
