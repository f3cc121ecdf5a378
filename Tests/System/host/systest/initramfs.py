"""A minimal initramfs: busybox, the root file system's modules, and a 30-line /init.

Debian's initramfs-tools image is ~37 MB and brings udev into the early boot; this one is
~3 MB, uncompressed (nothing to decompress under TCG), and does only what the guest's root
needs: load virtio_pci, virtio_blk and ext4, mount /dev/vda, switch_root into it. The
/init script is Tests/System/guest/initramfs-init.
"""

import os
import stat

from . import kernel


class CpioWriter:
    """Writes the "newc" cpio format the kernel unpacks."""

    def __init__(self, handle):
        self.handle = handle
        self.inode = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev=(0, 0)):
        name_bytes = name.encode() + b"\0"
        fields = [self.inode, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
        self.inode += 1
        header = b"070701" + b"".join(b"%08X" % value for value in fields)
        self.handle.write(header + name_bytes)
        self._pad()
        self.handle.write(data)
        self._pad()

    def _pad(self):
        self.handle.write(b"\0" * (-self.handle.tell() % 4))

    def directory(self, name: str):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, data: bytes, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name: str, target: str):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def character_device(self, name: str, major: int, minor: int):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)


def build_initramfs(root: str, kernel_version: str, init_script: str, output_path: str) -> None:
    modules_dir = os.path.join(root, "usr/lib/modules", kernel_version)
    module_paths = kernel.closure_in_load_order(modules_dir, kernel.ROOT_MODULES)
    with open(output_path, "wb") as handle:
        cpio = CpioWriter(handle)
        for folder in ["bin", "dev", "proc", "sys", "newroot", "lib", "lib/modules"]:
            cpio.directory(folder)
        cpio.character_device("dev/console", 5, 1)
        cpio.character_device("dev/null", 1, 3)
        with open(os.path.join(root, "bin/busybox"), "rb") as busybox:
            cpio.file("bin/busybox", busybox.read(), 0o755)
        cpio.symlink("bin/sh", "busybox")
        order = []
        for path in module_paths:
            name = os.path.basename(path)
            with open(os.path.join(modules_dir, path), "rb") as module:
                cpio.file(f"lib/modules/{name}", module.read())
            order.append(name)
        # /init loads the modules in this order: dependencies first.
        cpio.file("lib/modules/load-order", ("\n".join(order) + "\n").encode())
        with open(init_script, "rb") as init:
            cpio.file("init", init.read(), 0o755)
        cpio.finish()
