// libFuzzer's documented entry for programs that have their own main (LLVM 12 and later). SwiftPM links a
// debug executable with `--defsym main=<Target>_main` so that tests can import it; that replaces libFuzzer's
// main, so each fuzzer defines <Target>_main and hands over to libFuzzer's driver here.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
