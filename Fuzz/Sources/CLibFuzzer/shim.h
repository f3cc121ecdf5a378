// libFuzzer's driver, called from each target's entry point: SwiftPM names an executable's
// entry point itself, so the targets start libFuzzer instead of linking its main().
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
