// libudev: device enumeration, attributes and the monitor. Nothing but includes.
#include <libudev.h>
