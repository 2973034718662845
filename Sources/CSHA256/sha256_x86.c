// The SHA-256 compression function with the x86 SHA extensions (SHA-NI).
//
// Swift cannot enable a CPU feature for one function, so this one routine is C: the
// `target` attribute lets it use SHA-NI while the rest of the program stays baseline x86-64,
// and `quire_sha256_accelerated_available` checks the CPU at run time. The portable Swift
// implementation in `Hashing` is used everywhere else, and the tests run both.
//
// The message schedule and round structure follow FIPS 180-4 section 6.2.2, four rounds per
// step: SHA256RNDS2 does two rounds, SHA256MSG1/MSG2 compute the schedule.

#include "csha256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int quire_sha256_accelerated_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int ssse3 = (ecx >> 9) & 1;
    int sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}

static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// Four rounds with message words W (already in big-endian word order) and constants K[i..i+3].
#define QUADROUND(W, i)                                                        \
    do {                                                                       \
        __m128i m = _mm_add_epi32((W), _mm_load_si128((const __m128i *)&K[i])); \
        state1 = _mm_sha256rnds2_epu32(state1, state0, m);                     \
        m = _mm_shuffle_epi32(m, 0x0E);                                        \
        state0 = _mm_sha256rnds2_epu32(state0, state1, m);                     \
    } while (0)

// Next four schedule words from the previous sixteen (W0 oldest .. W3 newest); result replaces W0.
#define SCHEDULE(W0, W1, W2, W3)                                               \
    do {                                                                       \
        W0 = _mm_sha256msg1_epu32(W0, W1);                                     \
        W0 = _mm_add_epi32(W0, _mm_alignr_epi8(W3, W2, 4));                    \
        W0 = _mm_sha256msg2_epu32(W0, W3);                                     \
    } while (0)

__attribute__((target("sha,ssse3,sse4.1")))
void quire_sha256_accelerated_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    // The instructions want the state as ABEF and CDGH.
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);    // DCBA
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]); // HGFE
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                           // CDAB
    state1 = _mm_shuffle_epi32(state1, 0x1B);                     // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);             // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                  // CDGH

    while (blocks--) {
        const __m128i save0 = state0, save1 = state1;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byteswap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byteswap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byteswap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byteswap);

        QUADROUND(w0, 0);
        QUADROUND(w1, 4);
        QUADROUND(w2, 8);
        QUADROUND(w3, 12);
        SCHEDULE(w0, w1, w2, w3); QUADROUND(w0, 16);
        SCHEDULE(w1, w2, w3, w0); QUADROUND(w1, 20);
        SCHEDULE(w2, w3, w0, w1); QUADROUND(w2, 24);
        SCHEDULE(w3, w0, w1, w2); QUADROUND(w3, 28);
        SCHEDULE(w0, w1, w2, w3); QUADROUND(w0, 32);
        SCHEDULE(w1, w2, w3, w0); QUADROUND(w1, 36);
        SCHEDULE(w2, w3, w0, w1); QUADROUND(w2, 40);
        SCHEDULE(w3, w0, w1, w2); QUADROUND(w3, 44);
        SCHEDULE(w0, w1, w2, w3); QUADROUND(w0, 48);
        SCHEDULE(w1, w2, w3, w0); QUADROUND(w1, 52);
        SCHEDULE(w2, w3, w0, w1); QUADROUND(w2, 56);
        SCHEDULE(w3, w0, w1, w2); QUADROUND(w3, 60);

        state0 = _mm_add_epi32(state0, save0);
        state1 = _mm_add_epi32(state1, save1);
        data += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF -> HGFE order for storing
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

#else

int quire_sha256_accelerated_available(void) { return 0; }

void quire_sha256_accelerated_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

#endif
