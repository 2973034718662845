#ifndef QUIRE_CSHA256_H
#define QUIRE_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when this CPU has the x86 SHA extensions (and the SSSE3/SSE4.1 they need), else 0.
int quire_sha256_accelerated_available(void);

/// Runs the SHA-256 compression function over `blocks` 64-byte blocks at `data`, updating the
/// eight state words in place, with the x86 SHA extensions. Call only when
/// `quire_sha256_accelerated_available()` returned 1.
void quire_sha256_accelerated_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Runs the SHA-1 compression function over `blocks` 64-byte blocks at `data`, updating the five
/// state words in place, with the x86 SHA extensions. Call only when
/// `quire_sha256_accelerated_available()` returned 1 (the same extensions serve both).
void quire_sha1_accelerated_blocks(uint32_t state[5], const uint8_t *data, size_t blocks);

#endif
