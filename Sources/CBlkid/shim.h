// libblkid: the filesystem probe udev's blkid builtin runs. Nothing but includes.
#include <blkid/blkid.h>
