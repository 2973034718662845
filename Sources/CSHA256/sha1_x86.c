// The SHA-1 compression function with the x86 SHA extensions (SHA-NI), for the `sha1:` payload
// digests WARC writers declare (Hashing/SHA1.swift). In C for the reason sha256_x86.c gives: the
// `target` attribute lets this one routine use SHA-NI; `quire_sha256_accelerated_available`
// checks the CPU (the same extensions serve SHA-1 and SHA-256).
//
// FIPS 180-4 section 6.1.2, four rounds per step: SHA1RNDS4 does four rounds with the round
// function and constant of its immediate (0: rounds 0-19, 1: 20-39, 2: 40-59, 3: 60-79);
// SHA1NEXTE adds the next E (the rotated A of four rounds back) to the message words; SHA1MSG1
// and SHA1MSG2 compute the message schedule, with the XOR in between.

#include "csha256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// One step of four rounds from round 12 on: `e` takes the next E and the words `m0`, then is
// consumed by SHA1RNDS4 with `func`; the schedule advances (`m1` finished by MSG2 with `m0`,
// `m3` started by MSG1, `m2` XORed), and `next` keeps ABCD for the step after.
#define STEP(e, next, m0, m1, m2, m3, func)                                    \
    do {                                                                       \
        e = _mm_sha1nexte_epu32(e, m0);                                        \
        next = abcd;                                                           \
        m1 = _mm_sha1msg2_epu32(m1, m0);                                       \
        abcd = _mm_sha1rnds4_epu32(abcd, e, func);                             \
        m3 = _mm_sha1msg1_epu32(m3, m0);                                       \
        m2 = _mm_xor_si128(m2, m0);                                            \
    } while (0)

__attribute__((target("sha,sse4.1,ssse3")))
void quire_sha1_accelerated_blocks(uint32_t state[5], const uint8_t *data, size_t blocks) {
    // Bytes of each 16-byte block reversed: the message words big-endian, in the lane order the instructions take.
    const __m128i order = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1B);
    __m128i e0 = _mm_set_epi32((int)state[4], 0, 0, 0);
    __m128i e1;
    for (size_t b = 0; b < blocks; b++, data += 64) {
        const __m128i abcdSaved = abcd, eSaved = e0;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), order);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), order);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), order);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), order);

        // Rounds 0-11: the message words as given, the schedule started.
        e0 = _mm_add_epi32(e0, m0);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);

        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        m0 = _mm_sha1msg1_epu32(m0, m1);

        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        m1 = _mm_sha1msg1_epu32(m1, m2);
        m0 = _mm_xor_si128(m0, m2);

        // Rounds 12-79: the schedule computed four words per step (the last steps' schedule
        // words are never used, and the compiler drops them).
        STEP(e1, e0, m3, m0, m1, m2, 0);  // 12-15
        STEP(e0, e1, m0, m1, m2, m3, 0);  // 16-19
        STEP(e1, e0, m1, m2, m3, m0, 1);  // 20-23
        STEP(e0, e1, m2, m3, m0, m1, 1);  // 24-27
        STEP(e1, e0, m3, m0, m1, m2, 1);  // 28-31
        STEP(e0, e1, m0, m1, m2, m3, 1);  // 32-35
        STEP(e1, e0, m1, m2, m3, m0, 1);  // 36-39
        STEP(e0, e1, m2, m3, m0, m1, 2);  // 40-43
        STEP(e1, e0, m3, m0, m1, m2, 2);  // 44-47
        STEP(e0, e1, m0, m1, m2, m3, 2);  // 48-51
        STEP(e1, e0, m1, m2, m3, m0, 2);  // 52-55
        STEP(e0, e1, m2, m3, m0, m1, 2);  // 56-59
        STEP(e1, e0, m3, m0, m1, m2, 3);  // 60-63
        STEP(e0, e1, m0, m1, m2, m3, 3);  // 64-67
        STEP(e1, e0, m1, m2, m3, m0, 3);  // 68-71
        STEP(e0, e1, m2, m3, m0, m1, 3);  // 72-75
        STEP(e1, e0, m3, m0, m1, m2, 3);  // 76-79

        // Add this block's result to the state.
        e0 = _mm_sha1nexte_epu32(e0, eSaved);
        abcd = _mm_add_epi32(abcd, abcdSaved);
    }
    _mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(abcd, 0x1B));
    state[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#else

void quire_sha1_accelerated_blocks(uint32_t state[5], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

#endif
