"""The guest's disks, written on the host without loop devices or mounts.

- ext4 images from a staged folder with `mke2fs -d` (the /license partition, /wfs, USB
  sticks, the SYSTEST data disk), as raw files;
- qcow2 overlays over the cached root image (`qemu-img create -b`), one per scenario, so
  the image itself is never written;
- `e2fsck -fn` of an image after the guest is gone.
"""

import os
import shutil
import subprocess

from .commands import run


class StagedTree:
    """A folder on the host that becomes the contents of one ext4 image."""

    def __init__(self, path: str):
        self.path = path
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)

    def folder(self, relative: str) -> str:
        path = os.path.join(self.path, relative)
        os.makedirs(path, exist_ok=True)
        return path

    def write(self, relative: str, content, mode: int = 0o644) -> str:
        path = os.path.join(self.path, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)
        os.chmod(path, mode)
        return path

    def copy(self, source: str, relative: str) -> str:
        path = os.path.join(self.path, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(source, path)
        return path

    def symlink(self, target: str, relative: str) -> None:
        os.symlink(target, os.path.join(self.path, relative))


def ext4_image(tree: StagedTree, image_path: str, label: str, size: str = "32M") -> str:
    """An ext4 file system labelled `label` holding the tree, in a raw image file."""
    if os.path.exists(image_path):
        os.unlink(image_path)
    run(["mke2fs", "-q", "-t", "ext4", "-L", label, "-d", tree.path, image_path, size])
    return image_path


def overlay(backing: str, path: str, backing_format: str = "raw") -> str:
    """A qcow2 overlay of `backing`: the guest writes into the overlay only."""
    if os.path.exists(path):
        os.unlink(path)
    run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.abspath(backing), "-F", backing_format, path])
    return path


def fsck(image_path: str) -> tuple:
    """`e2fsck -fn` of an ext4 image: (exit status, output). 0 means clean."""
    completed = subprocess.run(["e2fsck", "-fn", image_path], capture_output=True, text=True, check=False)
    return completed.returncode, completed.stdout + completed.stderr
